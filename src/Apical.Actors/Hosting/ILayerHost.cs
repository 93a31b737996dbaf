using Akka.Actor;
using Apical.Actors.Protocol;

namespace Apical.Actors.Hosting;

/// <summary>Where the entities of a run live and how a control message reaches one before its direct
/// reference is known: plain local actors, or entities of the <c>layer</c> shard region.</summary>
public interface ILayerHost
{
    /// <summary>The shard region tensors fall back to when a direct reference dies (null: none).</summary>
    IActorRef? Region { get; }

    /// <summary>The placement name stamped into shard ids (see <see cref="Sharding.PlacementAllocationStrategy"/>).</summary>
    string Placement { get; }

    /// <summary>Sends <paramref name="message"/> to node <paramref name="nodeId"/> of run <paramref name="runId"/>.</summary>
    void Send(string runId, int nodeId, int nodeCount, IControlMessage message, IActorRef? sender);
}

/// <summary>Entities as plain top-level actors of one actor system (no cluster): the quickest host.</summary>
public sealed class LocalLayerHost : ILayerHost
{
    private readonly ActorSystem _system;
    private readonly Dictionary<string, IActorRef> _actors = new();
    private readonly object _gate = new();

    public LocalLayerHost(ActorSystem system) => _system = system;

    public IActorRef? Region => null;
    public string Placement => "local";

    public void Send(string runId, int nodeId, int nodeCount, IControlMessage message, IActorRef? sender)
    {
        string name = $"{runId}-{nodeId}";
        IActorRef actor;
        lock (_gate)
        {
            if (!_actors.TryGetValue(name, out actor!))
            {
                actor = _system.ActorOf(LayerActor.Props(), name);
                _actors.Add(name, actor);
            }
            if (message is StopLayer) _actors.Remove(name);
        }
        actor.Tell(message, sender);
    }
}

/// <summary>Entities of the <c>layer</c> shard region (or a proxy of it on a client node).</summary>
public sealed class ShardedLayerHost : ILayerHost
{
    public ShardedLayerHost(IActorRef region, string placement)
    {
        Region = region;
        Placement = placement;
    }

    public IActorRef? Region { get; }
    public string Placement { get; }

    public void Send(string runId, int nodeId, int nodeCount, IControlMessage message, IActorRef? sender)
        => Region!.Tell(new LayerEnvelope(runId, nodeId, nodeCount, Placement, message), sender);
}
