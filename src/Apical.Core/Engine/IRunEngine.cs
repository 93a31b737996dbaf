using Apical.Core.Checkpoints;
using Apical.Core.Data;
using Apical.Core.Model;
using Apical.Core.Rules;

namespace Apical.Core.Engine;

/// <summary>
/// What <see cref="TrainingSession"/> needs from an engine: emit source batches, wait for a segment to finish,
/// and read the loss node's running metrics. The in-process engine and the actor runtime both implement it, so
/// the epoch and evaluation structure of a run is the same code for every engine.
/// </summary>
public interface IRunEngine : IDisposable
{
    /// <summary>Sets the training segment end stamped on the source's messages from now on.</summary>
    void BeginSegment(long segmentEnd);

    /// <summary>Sends batch <paramref name="batchIndex"/> of <paramref name="batches"/> as step <paramref name="step"/>
    /// of <paramref name="phase"/>; returns its row count. May process it synchronously or hand it on.</summary>
    int EmitBatch(BatchIterator batches, int batchIndex, Phase phase, long step);

    /// <summary>Waits until every firing of <paramref name="phase"/> up to <paramref name="lastStep"/> is done;
    /// returns the messages still held by the nodes afterwards (0 for a drained pipeline).</summary>
    int Drain(Phase phase, long lastStep);

    /// <summary>Running mean loss and accuracy of a phase (progress display).</summary>
    (double Loss, double Accuracy) PeekLoss(Phase phase);

    /// <summary>Mean loss and accuracy of a phase since the last call, then resets that phase.</summary>
    (double Loss, double Accuracy, long Samples) TakeLoss(Phase phase);

    /// <summary>Makes the parameters of the session's own copy of the graph (<paramref name="network"/>) equal to
    /// those of the nodes the engine runs, for oracles, diagnostics and checkpoints outside the layers. A no-op
    /// where the engine runs those very objects.</summary>
    void SyncParameters(Network network);

    /// <summary>The checkpoint state of every checkpointable node (parameters, optimiser state), serialised where
    /// the node runs. Called with every pipeline drained.</summary>
    IReadOnlyList<(INode Node, byte[] State)> CaptureState(Network network);

    /// <summary>Restores every checkpointable node from the state <paramref name="stateOf"/> gives (bytes and a name
    /// for errors) where the node runs, and moves the engine to the run's position. Called before any batch.</summary>
    void RestoreState(Network network, CheckpointPosition position, Func<INode, (byte[] State, string Source)> stateOf);
}

/// <summary>The in-process engine behind <see cref="IRunEngine"/>: every batch is pumped to completion at once.</summary>
public sealed class InProcessRunEngine : IRunEngine
{
    private readonly Network _network;

    public InProcessRunEngine(Network network, string runId, int batchCapacity, int? deliveryShuffleSeed = null, ulong linkSeed = 0)
    {
        _network = network;
        Engine = new InProcessEngine(network.Topology, runId, batchCapacity, deliveryShuffleSeed, linkSeed);
    }

    public InProcessEngine Engine { get; }

    public void BeginSegment(long segmentEnd) => Engine.SetSegmentEnd(_network.Source.Id, segmentEnd);

    public int EmitBatch(BatchIterator batches, int batchIndex, Phase phase, long step)
    {
        int rows = _network.Source.EmitBatch(batches, batchIndex, phase, step, Engine.OutboxOf(_network.Source.Id));
        Engine.Pump();
        return rows;
    }

    public int Drain(Phase phase, long lastStep) => Engine.PendingMessages;

    public (double Loss, double Accuracy) PeekLoss(Phase phase) => _network.Loss.Peek(phase);

    public (double Loss, double Accuracy, long Samples) TakeLoss(Phase phase) => _network.Loss.Take(phase);

    public void SyncParameters(Network network)
    {
        if (!ReferenceEquals(network, _network))
            throw new ArgumentException("the in-process engine runs its own network; there is nothing to copy", nameof(network));
    }

    public IReadOnlyList<(INode Node, byte[] State)> CaptureState(Network network)
    {
        var states = new List<(INode, byte[])>();
        foreach (var node in network.Topology.Nodes)
            if (node is ICheckpointable c) states.Add((node, CheckpointWriter.ToBytes(c, node.Id, node.Name)));
        return states;
    }

    public void RestoreState(Network network, CheckpointPosition position, Func<INode, (byte[] State, string Source)> stateOf)
    {
        foreach (var node in network.Topology.Nodes)
        {
            if (node is not ICheckpointable c) continue;
            var (state, source) = stateOf(node);
            CheckpointReader.FromBytes(c, state, source, node.Id, node.Name);
        }
        Engine.Seek(position.TrainStep, position.ValidationStep, position.TestStep);
    }

    public void Dispose() => Engine.Dispose();
}
