using Akka.Actor;
using Akka.Event;
using Apical.Actors.Protocol;

namespace Apical.Actors.Hosting;

/// <summary>
/// The actor side of a run's coordinator: (re)starts every entity of the run explicitly through its host,
/// collects their references, hands every entity the references of the others (after which neighbours talk
/// directly), and turns a node's failure into the failure of the run.
/// </summary>
internal sealed class CoordinatorActor : UntypedActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _runId;
    private readonly RunBlueprint _blueprint;
    private readonly int _nodeCount;
    private readonly ILayerHost _host;
    private readonly TaskCompletionSource<IActorRef[]> _ready;
    private readonly TaskCompletionSource<bool> _failed;
    private readonly IActorRef?[] _refs;
    private int _started;
    private int _connected;

    public CoordinatorActor(string runId, RunBlueprint blueprint, int nodeCount, ILayerHost host,
        TaskCompletionSource<IActorRef[]> ready, TaskCompletionSource<bool> failed)
    {
        _runId = runId;
        _blueprint = blueprint;
        _nodeCount = nodeCount;
        _host = host;
        _ready = ready;
        _failed = failed;
        _refs = new IActorRef?[nodeCount];
    }

    protected override void PreStart()
    {
        _refs[0] = Self; // the data source lives with the coordinator
        for (int n = 1; n < _nodeCount; n++)
            _host.Send(_runId, n, _nodeCount, new StartLayer(_runId, n, _blueprint, Self), Self);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case LayerStarted s when s.RunId == _runId:
                if ((uint)s.NodeId >= (uint)_nodeCount || s.NodeId == 0 || _refs[s.NodeId] is not null) break;
                _refs[s.NodeId] = s.Layer;
                Context.Watch(s.Layer);
                if (++_started == _nodeCount - 1)
                {
                    var all = new IActorRef[_nodeCount];
                    for (int i = 0; i < _nodeCount; i++) all[i] = _refs[i]!;
                    for (int n = 1; n < _nodeCount; n++)
                        all[n].Tell(new ConnectLayer(_runId, all, _host.Region, _host.Placement));
                }
                break;
            case LayerConnected c when c.RunId == _runId:
                if (++_connected == _nodeCount - 1)
                {
                    var all = new IActorRef[_nodeCount];
                    for (int i = 0; i < _nodeCount; i++) all[i] = _refs[i]!;
                    _ready.TrySetResult(all);
                }
                break;
            case LayerFailed f when f.RunId == _runId:
                _log.Error("run {0} failed: {1}", _runId, f.Reason);
                var error = new RunFailedException(_runId, f.NodeId, f.Reason);
                _ready.TrySetException(error);
                _failed.TrySetException(error);
                break;
            case Terminated t:
            {
                if (_failed.Task.IsCompleted) break;
                int node = Array.FindIndex(_refs, r => Equals(r, t.ActorRef));
                // No checkpoint restore yet: a lost entity (its node left, crashed or was downed) ends the run.
                var lost = new RunFailedException(_runId, node, $"its entity {t.ActorRef.Path} terminated (node lost or entity stopped)");
                _log.Error(lost.Message);
                _ready.TrySetException(lost);
                _failed.TrySetException(lost);
                break;
            }
            default:
                _log.Warning("run {0}: coordinator dropping unexpected message {1}", _runId, message);
                Unhandled(message);
                break;
        }
    }
}

/// <summary>A node of an actor-runtime run failed; the run cannot continue.</summary>
public sealed class RunFailedException : Exception
{
    public RunFailedException(string runId, int nodeId, string reason)
        : base($"run {runId}: node {nodeId} failed: {reason}")
    {
        RunId = runId;
        NodeId = nodeId;
    }

    public string RunId { get; }
    public int NodeId { get; }
}
