using Akka.Actor;
using Apical.Actors.Protocol;
using Apical.Core.Checkpoints;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules;

namespace Apical.Actors.Hosting;

/// <summary>
/// Runs a <see cref="TrainingSession"/>'s graph on actors: starts and wires the entities (through a
/// <see cref="CoordinatorActor"/>), then, called by the session, emits the data source's batches straight to the
/// first layer and the loss, keeps at most <see cref="ActorRunOptions.Window"/> minibatches in flight, waits for
/// segments to drain and reads the loss node's metrics. The session's epoch and evaluation logic is unchanged,
/// so metrics and weights equal the in-process engine's. Its methods block the calling thread — call them from
/// an ordinary thread, never from inside an actor.
/// </summary>
public sealed class RunCoordinator : IRunEngine
{
    private readonly ActorSystem _system;
    private readonly Network _network;
    private readonly ActorRunOptions _options;
    private readonly ILayerHost _host;
    private readonly RunEntities _entities;
    private readonly Task<bool> _failed;
    private readonly IActorRef[] _nodes;
    private readonly ActorOutbox _source;
    private readonly ProgressListener _progress = new();
    private readonly IActorRef _progressActor;
    private int _inFlight;
    private readonly int _lossId;
    private (double Loss, double Accuracy)[] _peek = new (double, double)[3];
    private bool _disposed;

    public RunCoordinator(ActorSystem system, Network network, RunBlueprint blueprint, ILayerHost host, ActorRunOptions options)
    {
        _system = system;
        _network = network;
        _options = options;
        _host = host;
        RunId = options.RunId;
        _lossId = network.Loss.Id;
        for (int i = 0; i < _peek.Length; i++) _peek[i] = (double.NaN, double.NaN);
        _entities = new RunEntities(system, host, RunId, blueprint, network.Topology.Nodes.Count, options.Timeout);
        _failed = _entities.Failed;
        _nodes = _entities.Nodes;
        int batchCapacity = network.Source.BatchSize;
        _source = new ActorOutbox(network.Source, network.Topology, RunId, batchCapacity, ActorRefs.NoSender,
            system.Settings.SerializeAllMessages);
        _source.SetRegion(host.Region, host.Placement);
        foreach (var l in network.Topology.LinksFrom(network.Source.Id)) _source.SetTarget(l.To, _nodes[l.To]);
        _progressActor = system.ActorOf(Props.Create(() => new ProgressActor(_progress)), $"progress-{RunId}");
    }

    public string RunId { get; }

    /// <summary>The reference of every hosted node (index = node id; 0 is the coordinator, host of the source).</summary>
    public IReadOnlyList<IActorRef> Nodes => _nodes;

    public void BeginSegment(long segmentEnd) => _source.SegmentEnd = segmentEnd;

    public int EmitBatch(BatchIterator batches, int batchIndex, Phase phase, long step)
    {
        while (_inFlight >= _options.Window) Retire();
        int rows = _network.Source.EmitBatch(batches, batchIndex, phase, step, _source);
        // the loss answers once minibatch `step` has passed it; answers go to the progress listener (no ask per batch)
        _nodes[_lossId].Tell(new AwaitStep(RunId, phase, step), _progressActor);
        _inFlight++;
        return rows;
    }

    public int Drain(Phase phase, long lastStep)
    {
        while (_inFlight > 0) Retire();
        var waits = new Task<StepReached>[_nodes.Length - 1];
        for (int n = 1; n < _nodes.Length; n++)
            waits[n - 1] = _nodes[n].Ask<StepReached>(new AwaitStep(RunId, phase, lastStep), _options.Timeout);
        int pending = 0;
        foreach (var w in waits)
        {
            var r = Wait(w, $"draining {phase} up to step {lastStep}");
            pending += r.Pending;
            if (r.NodeId == _lossId) _peek[(int)phase] = (r.Loss, r.Accuracy);
        }
        return pending;
    }

    public (double Loss, double Accuracy) PeekLoss(Phase phase) => _peek[(int)phase];

    public (double Loss, double Accuracy, long Samples) TakeLoss(Phase phase)
    {
        var r = Wait(_nodes[_lossId].Ask<LossTaken>(new TakeLoss(RunId, phase), _options.Timeout), $"reading the {phase} loss");
        _peek[(int)phase] = (double.NaN, double.NaN);
        return (r.Loss, r.Accuracy, r.Samples);
    }

    /// <summary>Copies of every node's parameters (node id → named tensors), e.g. to compare engines or checkpoint.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> GetParameters() => _entities.Parameters();

    public IReadOnlyList<(INode Node, byte[] State)> CaptureState(Network network)
    {
        var waits = new Task<CheckpointData>[_nodes.Length - 1];
        for (int n = 1; n < _nodes.Length; n++)
            waits[n - 1] = _nodes[n].Ask<CheckpointData>(new GetCheckpoint(RunId), _options.Timeout);
        var states = new List<(INode, byte[])>();
        foreach (var w in waits)
        {
            var d = Wait(w, "collecting checkpoint state");
            if (d.State.Length > 0) states.Add((network.Topology.Nodes[d.NodeId], d.State));
        }
        return states;
    }

    public void RestoreState(Network network, CheckpointPosition position, Func<INode, (byte[] State, string Source)> stateOf)
    {
        var waits = new List<Task<CheckpointRestored>>();
        for (int n = 1; n < _nodes.Length; n++)
        {
            var node = network.Topology.Nodes[n];
            var (state, source) = node is ICheckpointable ? stateOf(node) : (Array.Empty<byte>(), "");
            waits.Add(_nodes[n].Ask<CheckpointRestored>(
                new RestoreCheckpoint(RunId, state, source, position.TrainStep, position.ValidationStep, position.TestStep), _options.Timeout));
        }
        foreach (var w in waits)
        {
            var r = Wait(w, "restoring a checkpoint");
            if (r.Error is not null) throw new CheckpointException(network.Topology.Nodes[r.NodeId].Name, r.Error);
        }
    }

    public void SyncParameters(Network network)
    {
        foreach (var (id, parameters) in GetParameters())
        {
            if (network.Topology.Nodes[id] is not IParameterized local) continue;
            foreach (var p in parameters)
            {
                NamedTensor? target = null;
                foreach (var l in local.Parameters) if (l.Name == p.Name) target = l;
                if (target is null)
                    throw new InvalidOperationException($"node {id} sent parameter '{p.Name}', which the local copy does not have");
                target.Tensor.CopyFrom(p.Tensor);
            }
        }
    }

    /// <summary>Waits until one more minibatch has passed the loss node.</summary>
    private void Retire()
    {
        var deadline = DateTime.UtcNow + _options.Timeout;
        while (!_progress.Passed.Wait(200))
        {
            if (_failed.IsFaulted) throw _failed.Exception!.InnerException!;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"run {RunId}: timed out after {_options.Timeout.TotalSeconds:0.#} s waiting for a minibatch to pass the loss");
        }
        if (_progress.Failure is { } failure)
        {
            if (Task.WaitAny(new Task[] { _failed }, TimeSpan.FromSeconds(5)) == 0 && _failed.IsFaulted) throw _failed.Exception!.InnerException!;
            throw failure;
        }
        _inFlight--;
        var r = _progress.Last;
        if (r is not null) _peek[(int)r.Phase] = (r.Loss, r.Accuracy);
    }

    private T Wait<T>(Task<T> task, string what) => _entities.Wait(task, what);

    private void Stop()
    {
        _entities.Stop();
        if (_progressActor is not null) _system.Stop(_progressActor);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stop();
    }
}

/// <summary>Where the loss node's answers to per-minibatch <see cref="AwaitStep"/>s land.</summary>
internal sealed class ProgressListener
{
    public SemaphoreSlim Passed { get; } = new(0);
    public volatile StepReached? Last;
    public volatile Exception? Failure;
}

/// <summary>Receives the loss node's <see cref="StepReached"/> answers and signals the coordinator's caller.</summary>
internal sealed class ProgressActor : UntypedActor
{
    private readonly ProgressListener _listener;

    public ProgressActor(ProgressListener listener) => _listener = listener;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StepReached r:
                _listener.Last = r;
                _listener.Passed.Release();
                break;
            case Status.Failure f:
                _listener.Failure = f.Cause;
                _listener.Passed.Release();
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>How a run is hosted on the actor runtime.</summary>
public sealed class ActorRunOptions
{
    /// <summary>The run id (entity ids are <c>&lt;run&gt;/&lt;node&gt;</c>); unique per cluster, without '/'.</summary>
    public string RunId { get; init; } = "run-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Minibatches the data source may have in flight beyond the loss node.</summary>
    public int Window { get; init; } = 8;

    /// <summary>How long any single wait (start, a minibatch, a drain) may take before the run is abandoned.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}
