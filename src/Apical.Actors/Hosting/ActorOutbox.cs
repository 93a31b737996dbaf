using Akka.Actor;
using Apical.Actors.Protocol;
using Apical.Core.Model;

namespace Apical.Actors.Hosting;

/// <summary>
/// The outbox an actor-hosted node (or the coordinator's data source) sends through: pooled messages per output
/// kind, routed by the topology to the neighbours' <see cref="IActorRef"/>s. A local receiver gets the pooled
/// message by reference (one reference per receiver). A receiver that needs a copy — a remote node, or any node
/// when every message is serialized — gets an unpooled copy, so no serializer ever reads a buffer the pool may
/// reuse. A neighbour without a live reference is reached through the shard region.
/// </summary>
internal sealed class ActorOutbox : IOutbox
{
    private readonly INode _node;
    private readonly Topology _topology;
    private readonly string _runId;
    private readonly MessagePool?[] _pools = new MessagePool?[8];
    private readonly IActorRef?[] _targets;
    private readonly bool[] _copy;
    private readonly bool _copyAll;
    private readonly IActorRef? _sender;
    private IActorRef? _region;
    private string _placement = "";

    public ActorOutbox(INode node, Topology topology, string runId, int batchCapacity, IActorRef? sender, bool copyAll)
    {
        _node = node;
        _topology = topology;
        _runId = runId;
        _sender = sender;
        _copyAll = copyAll;
        _targets = new IActorRef?[topology.Nodes.Count];
        _copy = new bool[topology.Nodes.Count];
        foreach (var o in node.Outputs) _pools[(int)o.Kind] = new MessagePool(batchCapacity, o.Width);
    }

    public long SegmentEnd { get; set; } = long.MaxValue;

    /// <summary>Sends of this outbox so far that went through the region (diagnostics).</summary>
    public long RegionSends { get; private set; }

    /// <summary>Sets the direct reference of a node (null: go through the region) and whether it needs copies.</summary>
    public void SetTarget(int node, IActorRef? target)
    {
        _targets[node] = target;
        _copy[node] = _copyAll || target is null || !IsLocal(target);
    }

    public void SetRegion(IActorRef? region, string placement)
    {
        _region = region;
        _placement = placement;
    }

    public IActorRef? TargetOf(int node) => _targets[node];

    public Message Rent(MessageKind kind, int rows)
    {
        var pool = _pools[(int)kind] ?? throw new InvalidOperationException($"node '{_node.Name}' declares no {kind} output");
        var m = pool.Rent(rows);
        m.Stamp(_runId, _node.Id, kind, Phase.Train, -1, SegmentEnd);
        return m;
    }

    public void Send(Message message, Phase phase, long step)
    {
        message.Stamp(_runId, _node.Id, message.Kind, phase, step, SegmentEnd);
        var links = _topology.LinksFrom(_node.Id);
        int count = 0;
        foreach (var l in links) if (l.Kind == message.Kind) count++;
        if (count == 0)
        {
            message.Release();
            return;
        }
        if (count > 1) message.AddReferences(count - 1);
        foreach (var l in links)
        {
            if (l.Kind != message.Kind) continue;
            Deliver(l.To, message);
        }
    }

    private void Deliver(int to, Message m)
    {
        var target = _targets[to];
        if (!_copy[to] && target is not null)
        {
            target.Tell(m, _sender);
            return;
        }
        var copy = Message.Create(m.RunId, m.Sender, m.Kind, m.Phase, m.Step, m.SegmentEnd, m.Payload.Clone());
        m.Release();
        if (target is not null)
        {
            target.Tell(copy, _sender);
        }
        else if (_region is not null)
        {
            RegionSends++;
            _region.Tell(new TensorEnvelope(to, _topology.Nodes.Count, _placement, copy), _sender);
        }
        else
        {
            throw new InvalidOperationException($"node '{_node.Name}' has no route to node {to}");
        }
    }

    private static bool IsLocal(IActorRef r) => r is IActorRefScope { IsLocal: true };
}
