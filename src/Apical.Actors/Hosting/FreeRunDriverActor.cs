using Akka.Actor;
using Akka.Event;
using Apical.Actors.Protocol;
using Apical.Core.Model;

namespace Apical.Actors.Hosting;

/// <summary>
/// Drives a free-running run: tells every node to step on its own clock (its share of the run's steps at its
/// relative rate) and streams the source the same way, in self-addressed ticks of a few steps but at most
/// <c>window</c> steps ahead of the slowest node (each reports its clock after every tick), then completes
/// <see cref="ContinuousRunState.Done"/> when every node has reported its last step.
/// </summary>
internal sealed class FreeRunDriverActor : UntypedActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _runId;
    private readonly IStepSource _source;
    private readonly IActorRef[] _nodes;
    private readonly long _end;
    private readonly long _steps;
    private readonly double[] _rates;
    private readonly int _batch;
    private readonly ContinuousRunState _state;
    private readonly ActorOutbox _outbox;
    private readonly long[] _progress;
    private readonly int _window;
    private bool _ticking;
    private long _next;
    private int _done;

    public FreeRunDriverActor(string runId, Topology topology, ILayerHost host, IActorRef[] nodes, long from, long end,
        double[] rates, int batch, int window, int batchCapacity, ContinuousRunState state)
    {
        _runId = runId;
        _source = (IStepSource)topology.Nodes[0];
        _nodes = nodes;
        _next = from;
        _end = end;
        _steps = end - from;
        _rates = rates;
        _batch = Math.Max(1, batch);
        _window = Math.Max(1, window);
        _progress = new long[nodes.Length];
        _state = state;
        _outbox = new ActorOutbox(topology.Nodes[0], topology, runId, batchCapacity, Self, Context.System.Settings.SerializeAllMessages);
        _outbox.SetRegion(host.Region, host.Placement);
        foreach (var l in topology.LinksFrom(0)) _outbox.SetTarget(l.To, nodes[l.To]);
    }

    protected override void PreStart()
    {
        for (int n = 1; n < _nodes.Length; n++)
            _nodes[n].Tell(new FreeRun(_runId, Self, (long)(_steps * _rates[n]), _rates[n], _batch));
        Tick();
    }

    private void Tick()
    {
        if (_ticking) return;
        _ticking = true;
        Self.Tell(DriverTick.Instance);
    }

    /// <summary>The slowest node's clock in source steps.</summary>
    private double Slowest()
    {
        double slowest = double.MaxValue;
        for (int n = 1; n < _progress.Length; n++) slowest = Math.Min(slowest, _progress[n] / _rates[n]);
        return slowest;
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case DriverTick:
                _ticking = false;
                long limit = (long)Math.Min(_end, Slowest() + _window);
                try
                {
                    for (int i = 0; i < _batch && _next < limit; i++, _next++) _source.EmitStep(_next, _outbox);
                }
                catch (Exception e)
                {
                    _state.Done.TrySetException(new InvalidOperationException($"run {_runId}: the source failed at step {_next}: {e.Message}", e));
                    return;
                }
                _state.Touch();
                if (_next < limit) Tick();
                else if (_next >= _end) Complete();
                break;
            case StepProgress p when p.RunId == _runId && (uint)p.NodeId < (uint)_nodes.Length && p.NodeId > 0:
                if (p.Next > _progress[p.NodeId]) _progress[p.NodeId] = p.Next;
                _state.Touch();
                if (_next < _end) Tick();
                break;
            case FreeRunDone d when d.RunId == _runId && (uint)d.NodeId < (uint)_nodes.Length && d.NodeId > 0:
                _state.Touch();
                _done++;
                _progress[d.NodeId] = long.MaxValue / 2; // done: no longer holds the source back
                if (_next < _end) Tick();
                Complete();
                break;
            case Status.Failure f:
                _state.Done.TrySetException(f.Cause);
                break;
            default:
                _log.Warning("run {0}: free-running driver dropping unexpected message {1}", _runId, message);
                Unhandled(message);
                break;
        }
    }

    private void Complete()
    {
        if (_done == _nodes.Length - 1 && _next >= _end) _state.Done.TrySetResult();
    }
}

/// <summary>A driver's self-addressed tick (never leaves its actor system).</summary>
internal sealed class DriverTick : INoSerializationVerificationNeeded
{
    public static readonly DriverTick Instance = new();
    private DriverTick() { }
}
