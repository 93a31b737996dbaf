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
/// <para>
/// With <see cref="Windows"/> on, a link of delay d ≥ 2 to a remote node carries up to d consecutive steps per
/// message (<see cref="MessageWindow"/>): the copies of steps kd … kd + d − 1 leave together after step kd + d − 1,
/// which is still before the receiver needs step kd (at its step kd + d), so lockstep results and liveness are
/// unchanged. <see cref="FlushAll"/> sends what windows hold (the end of a run's input).
/// </para>
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
    private readonly Link[] _linksFrom;
    private readonly Message[]?[] _window; // per outgoing link: the copies held back, in step order
    private readonly int[] _windowCount;
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
        _linksFrom = topology.LinksFrom(node.Id).ToArray();
        _window = new Message[]?[_linksFrom.Length];
        _windowCount = new int[_linksFrom.Length];
    }

    /// <summary>Whether links of delay ≥ 2 to remote nodes carry windows of up to d steps (lockstep runs only).</summary>
    public bool Windows { get; set; }

    /// <summary>Windows sent so far, and the messages they carried (diagnostics, tests).</summary>
    public long WindowsSent { get; private set; }
    public long WindowedMessages { get; private set; }

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
        var links = _linksFrom;
        int count = 0;
        foreach (var l in links) if (l.Kind == message.Kind) count++;
        if (count == 0)
        {
            message.Release();
            return;
        }
        if (count > 1) message.AddReferences(count - 1);
        for (int i = 0; i < links.Length; i++)
        {
            var l = links[i];
            if (l.Kind != message.Kind) continue;
            if (Windows && l.Delay >= 2 && _targets[l.To] is { } t && !IsLocal(t)) Hold(i, message);
            else Deliver(l.To, message);
        }
    }

    /// <summary>Sends everything the windows hold.</summary>
    public void FlushAll()
    {
        for (int i = 0; i < _window.Length; i++)
            if (_windowCount[i] > 0) Flush(i);
    }

    /// <summary>Releases what the windows hold without sending it (run teardown).</summary>
    public void Clear()
    {
        for (int i = 0; i < _window.Length; i++)
        {
            for (int k = 0; k < _windowCount[i]; k++) _window[i]![k].Release();
            _windowCount[i] = 0;
        }
    }

    private void Hold(int link, Message m)
    {
        int delay = _linksFrom[link].Delay;
        var window = _window[link] ??= new Message[delay];
        window[_windowCount[link]++] = Copy(m);
        if (_windowCount[link] == delay || (m.Step + 1) % delay == 0) Flush(link);
    }

    private void Flush(int link)
    {
        int count = _windowCount[link];
        var held = _window[link]!;
        int to = _linksFrom[link].To;
        _windowCount[link] = 0;
        var target = _targets[to];
        if (count == 1 || target is null)
        {
            for (int k = 0; k < count; k++) Route(to, target, held[k]);
        }
        else
        {
            var messages = new Message[count];
            Array.Copy(held, messages, count);
            WindowsSent++;
            WindowedMessages += count;
            target.Tell(new MessageWindow(messages), _sender);
        }
        Array.Clear(held, 0, count);
    }

    private static Message Copy(Message m)
    {
        var copy = Message.Create(m.RunId, m.Sender, m.Kind, m.Phase, m.Step, m.SegmentEnd, m.Payload.Clone());
        m.Release();
        return copy;
    }

    private void Deliver(int to, Message m)
    {
        var target = _targets[to];
        if (!_copy[to] && target is not null)
        {
            target.Tell(m, _sender);
            return;
        }
        Route(to, target, Copy(m));
    }

    private void Route(int to, IActorRef? target, Message copy)
    {
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
