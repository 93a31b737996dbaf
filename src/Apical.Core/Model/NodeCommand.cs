using Apical.Core.Numerics;

namespace Apical.Core.Model;

/// <summary>
/// A control-plane command to one node, between its firings: batch boundaries, a learning-rate change, a metrics
/// query. Plain data (a verb, numbers and tensors), so it travels unchanged to a node hosted anywhere; the node
/// interprets it (<see cref="ICommandTarget"/>). Commands never carry references to other nodes.
/// </summary>
public sealed record NodeCommand(string Verb, double[] Numbers, TensorData[] Tensors)
{
    public NodeCommand(string verb, params double[] numbers) : this(verb, numbers, Array.Empty<TensorData>()) { }

    public override string ToString() => $"{Verb}({string.Join(", ", Numbers)}; {Tensors.Length} tensors)";
}

/// <summary>A node's answer to a <see cref="NodeCommand"/>: numbers and tensors, as the verb defines them.</summary>
public sealed record NodeReply(double[] Numbers, TensorData[] Tensors)
{
    public static readonly NodeReply Empty = new(Array.Empty<double>(), Array.Empty<TensorData>());

    public NodeReply(params double[] numbers) : this(numbers, Array.Empty<TensorData>()) { }
}

/// <summary>A tensor's rows, columns and values as plain data (a copy; control-plane sized).</summary>
public sealed record TensorData(int Rows, int Cols, float[] Values)
{
    /// <summary>Copies the live rows of <paramref name="t"/>.</summary>
    public static TensorData From(Tensor t) => new(t.Rows, t.Cols, t.ReadOnlySpan.ToArray());

    /// <summary>Copies the values into <paramref name="t"/> (same columns, capacity for the rows), setting its rows.</summary>
    public void CopyTo(Tensor t)
    {
        if (Cols != t.Cols) throw new ArgumentException($"tensor of {Cols} columns does not fit one of {t.Cols}");
        if (Values.Length != Rows * Cols) throw new ArgumentException($"tensor data holds {Values.Length} values, not {Rows} × {Cols}");
        t.SetRows(Rows);
        Values.CopyTo(t.Span);
    }

    public Tensor ToTensor() => new(Rows, Cols, (float[])Values.Clone());
}

/// <summary>
/// A node that takes control-plane commands. Every engine delivers a command between two firings of the node,
/// hands it the node's outbox (a command may start a cycle of messages, e.g. a DFC batch's initial rates) and then
/// delivers whatever became ready. An unknown verb or malformed arguments throw <see cref="ArgumentException"/>
/// naming the problem.
/// </summary>
public interface ICommandTarget
{
    NodeReply Execute(NodeCommand command, IOutbox outbox);
}
