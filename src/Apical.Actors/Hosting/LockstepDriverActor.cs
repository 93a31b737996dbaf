using Akka.Actor;
using Akka.Event;
using Apical.Actors.Protocol;
using Apical.Core.Model;

namespace Apical.Actors.Hosting;

/// <summary>
/// Streams a lockstep run's source (node 0, an <see cref="IStepSource"/>) to the hosted nodes with credit-based
/// flow control: every node reports the next step it will fire (<see cref="StepProgress"/>, every few steps) and
/// the driver emits source step s only while s − (slowest node's next step) &lt; the window, so no link holds more
/// than about window + its delay steps in flight. Never blocks: it reacts to progress reports. Once the last step
/// is out it flushes windows, asks every node to confirm its last step (<see cref="AwaitStep"/>) and completes
/// <see cref="ContinuousRunState.Done"/>.
/// </summary>
internal sealed class LockstepDriverActor : UntypedActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _runId;
    private readonly IStepSource _source;
    private readonly IActorRef[] _nodes;
    private readonly long _end;
    private readonly long[] _last;
    private readonly int _window;
    private readonly int _reportEvery;
    private readonly bool _windows;
    private readonly ContinuousRunState _state;
    private readonly long[] _progress;
    private readonly ActorOutbox _outbox;
    private long _next;
    private bool _finishing;
    private int _confirmed;

    public LockstepDriverActor(string runId, Topology topology, ILayerHost host, IActorRef[] nodes, long from, long end, long[] last,
        int window, bool windows, int batchCapacity, ContinuousRunState state)
    {
        _runId = runId;
        _source = (IStepSource)topology.Nodes[0];
        _nodes = nodes;
        _next = from;
        _end = end;
        _last = last;
        _window = Math.Max(1, window);
        _reportEvery = Math.Max(1, _window / 2);
        _windows = windows;
        _state = state;
        _progress = new long[nodes.Length];
        Array.Fill(_progress, long.MinValue);
        _outbox = new ActorOutbox(topology.Nodes[0], topology, runId, batchCapacity, Self, Context.System.Settings.SerializeAllMessages)
        {
            Windows = windows,
        };
        _outbox.SetRegion(host.Region, host.Placement);
        foreach (var l in topology.LinksFrom(0)) _outbox.SetTarget(l.To, nodes[l.To]);
    }

    protected override void PreStart()
    {
        for (int n = 1; n < _nodes.Length; n++) _nodes[n].Tell(new LockstepStart(_runId, Self, _reportEvery, _windows));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StepProgress p when p.RunId == _runId && (uint)p.NodeId < (uint)_nodes.Length && p.NodeId > 0:
                if (p.Next > _progress[p.NodeId]) _progress[p.NodeId] = p.Next;
                _state.Touch();
                Pump();
                break;
            case StepReached r when r.RunId == _runId:
                _state.Touch();
                if (++_confirmed == _nodes.Length - 1) _state.Done.TrySetResult();
                break;
            case Status.Failure f:
                _state.Done.TrySetException(f.Cause);
                break;
            default:
                _log.Warning("run {0}: lockstep driver dropping unexpected message {1}", _runId, message);
                Unhandled(message);
                break;
        }
    }

    private void Pump()
    {
        long slowest = long.MaxValue;
        for (int n = 1; n < _progress.Length; n++)
            if (_progress[n] < slowest) slowest = _progress[n];
        if (slowest == long.MinValue) return; // not every node has reported yet
        try
        {
            while (_next < _end && _next - slowest < _window)
            {
                _source.EmitStep(_next, _outbox);
                _next++;
            }
        }
        catch (Exception e)
        {
            _state.Done.TrySetException(new InvalidOperationException($"run {_runId}: the source failed at step {_next}: {e.Message}", e));
            return;
        }
        if (_next < _end || _finishing) return;
        _finishing = true;
        _outbox.FlushAll();
        for (int n = 1; n < _nodes.Length; n++)
        {
            _nodes[n].Tell(new FlushWindows(_runId));
            _nodes[n].Tell(new AwaitStep(_runId, Phase.Train, _last[n]));
        }
    }

    protected override void PostStop()
    {
        _outbox.Clear();
        base.PostStop();
    }
}
