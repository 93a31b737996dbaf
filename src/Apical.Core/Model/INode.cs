namespace Apical.Core.Model;

/// <summary>
/// A node of the network graph (a layer, a loss, a controller, a data source): a plain class with no
/// transport dependency (DESIGN.md invariant 1). An engine hands it the messages of one firing and it
/// advances its state and emits messages through the outbox. It never holds a reference to another node.
/// </summary>
public interface INode
{
    /// <summary>Stable node id within the run (its index in the topology).</summary>
    int Id { get; }

    string Name { get; }

    /// <summary>The inputs this node expects, in the order <see cref="Fire"/> receives them.</summary>
    IReadOnlyList<InputPort> Inputs { get; }

    /// <summary>What this node emits; the engine pools messages of these widths.</summary>
    IReadOnlyList<OutputPort> Outputs { get; }

    /// <summary>How the engine decides when this node may fire.</summary>
    Schedule Schedule { get; }

    /// <summary>
    /// Fires trigger <paramref name="trigger"/> (0 = forward/step, 1 = backward/credit) for
    /// <paramref name="step"/>. <paramref name="inputs"/> holds one message per input port of that trigger
    /// (null for ports of the other trigger). The node must not keep a message beyond this call unless it
    /// calls <see cref="Message.Retain"/>.
    /// </summary>
    void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox);
}

/// <summary>Nodes whose trainable state can be read (checkpoints, equality tests, diagnostics).</summary>
public interface IParameterized
{
    /// <summary>Named parameter tensors; the same instances for the node's lifetime.</summary>
    IReadOnlyList<NamedTensor> Parameters { get; }
}

public sealed record NamedTensor(string Name, Numerics.Tensor Tensor);

/// <summary>Where a node sends what it emits. The topology decides who receives each kind.</summary>
public interface IOutbox
{
    /// <summary>Rents a message of the given kind and row count whose payload the node then fills.</summary>
    Message Rent(MessageKind kind, int rows);

    /// <summary>Sends a rented, filled message; ownership passes to the receivers.</summary>
    void Send(Message message, Phase phase, long step);
}
