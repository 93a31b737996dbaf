using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>
/// The in-process engine: every node in one thread, messages delivered through a FIFO queue, each node fired
/// as soon as its <see cref="NodeGate"/> says so. The fastest single-node path and the oracle the actor runtime
/// is compared against: the gates make the outcome independent of delivery order.
/// </summary>
public sealed class InProcessEngine : IDisposable
{
    private readonly Topology _topology;
    private readonly NodeGate[] _gates;
    private readonly NodeOutbox[] _outboxes;
    private readonly Queue<Delivery> _queue = new();
    private readonly List<Delivery>? _shuffled;
    private readonly Random? _order;

    /// <param name="deliveryShuffleSeed">When set, queued messages are delivered in a seeded random order instead
    /// of FIFO — the timing freedom an actor runtime has. Results must not change (the gates order firings).</param>
    /// <param name="linkSeed">Seed of the link models' draws (jitter, loss): the run seed.</param>
    public InProcessEngine(Topology topology, string runId, int batchCapacity, int? deliveryShuffleSeed = null, ulong linkSeed = 0)
    {
        if (deliveryShuffleSeed is { } seed)
        {
            _shuffled = new List<Delivery>();
            _order = new Random(seed);
        }
        _topology = topology;
        int n = topology.Nodes.Count;
        _gates = new NodeGate[n];
        _outboxes = new NodeOutbox[n];
        for (int i = 0; i < n; i++)
        {
            var node = topology.Nodes[i];
            _gates[i] = new NodeGate(node, topology, linkSeed);
            _outboxes[i] = new NodeOutbox(this, node, runId, batchCapacity);
        }
    }

    public Topology Topology => _topology;

    /// <summary>Firings done so far, per node (diagnostics and tests).</summary>
    public long Firings { get; private set; }

    /// <summary>The outbox of a node, for sources driven from outside the graph.</summary>
    public IOutbox OutboxOf(int node) => _outboxes[node];

    /// <summary>Sets the training segment end stamped on messages a source node sends from now on.</summary>
    public void SetSegmentEnd(int node, long segmentEnd) => _outboxes[node].SegmentEnd = segmentEnd;

    public NodeGate GateOf(int node) => _gates[node];

    /// <summary>Delivers queued messages and fires ready nodes until nothing is left to do.</summary>
    public void Pump()
    {
        if (_shuffled is not null)
        {
            while (_shuffled.Count > 0)
            {
                int i = _order!.Next(_shuffled.Count);
                var d = _shuffled[i];
                _shuffled[i] = _shuffled[^1];
                _shuffled.RemoveAt(_shuffled.Count - 1);
                _gates[d.To].Accept(d.Port, d.Message);
                FireReady(d.To);
            }
            return;
        }
        while (_queue.Count > 0)
        {
            var d = _queue.Dequeue();
            _gates[d.To].Accept(d.Port, d.Message);
            FireReady(d.To);
        }
    }

    /// <summary>Delivers a control-plane command to node <paramref name="nodeId"/> (an <see cref="ICommandTarget"/>),
    /// then fires what became ready and pumps until nothing is left to do.</summary>
    public NodeReply Command(int nodeId, NodeCommand command)
    {
        if ((uint)nodeId >= (uint)_topology.Nodes.Count) throw new ArgumentOutOfRangeException(nameof(nodeId), $"no node {nodeId}");
        var node = _topology.Nodes[nodeId];
        if (node is not ICommandTarget target)
            throw new ArgumentException($"node '{node.Name}' takes no commands (it was sent {command.Verb})");
        var reply = target.Execute(command, _outboxes[nodeId]);
        FireReady(nodeId);
        Pump();
        return reply;
    }

    /// <summary>Moves every gate to a restored run's position (see <see cref="NodeGate.Seek"/>).</summary>
    public void Seek(long trainStep, long validationStep, long testStep)
    {
        foreach (var g in _gates) g.Seek(trainStep, validationStep, testStep);
    }

    /// <summary>What each link with a jitter or loss model did so far (losses, late messages, staleness).</summary>
    public IReadOnlyList<(Link Link, PortStatistics Statistics)> LinkStatistics()
    {
        var result = new List<(Link, PortStatistics)>();
        foreach (var l in _topology.Links)
            if (l.HasModel) result.Add((l, _gates[l.To].StatisticsOf(l.Port)));
        return result;
    }

    /// <summary>Messages held by gates and not yet consumed (a drained pipeline holds none).</summary>
    public int PendingMessages
    {
        get
        {
            int n = 0;
            foreach (var g in _gates) n += g.Pending;
            return n;
        }
    }

    private void FireReady(int nodeId)
    {
        var gate = _gates[nodeId];
        var node = _topology.Nodes[nodeId];
        var outbox = _outboxes[nodeId];
        while (gate.TryNext(out int trigger, out var phase, out long step))
        {
            outbox.SegmentEnd = SegmentEnd(gate.Inputs);
            node.Fire(trigger, phase, step, gate.Inputs, outbox);
            gate.Complete(trigger, phase, step);
            Firings++;
        }
    }

    private static long SegmentEnd(ReadOnlySpan<Message?> inputs)
    {
        long end = long.MaxValue;
        foreach (var m in inputs)
            if (m is not null && m.Step >= 0 && m.SegmentEnd < end) end = m.SegmentEnd;
        return end;
    }

    internal void Route(int from, Message m)
    {
        var links = _topology.LinksFrom(from);
        int count = 0;
        foreach (var l in links) if (l.Kind == m.Kind) count++;
        if (count == 0)
        {
            m.Release();
            return;
        }
        if (count > 1) m.AddReferences(count - 1);
        foreach (var l in links)
        {
            if (l.Kind != m.Kind) continue;
            if (_shuffled is not null) _shuffled.Add(new Delivery(l.To, l.Port, m));
            else _queue.Enqueue(new Delivery(l.To, l.Port, m));
        }
    }

    public void Dispose()
    {
        while (_queue.Count > 0) _queue.Dequeue().Message.Release();
        if (_shuffled is not null)
        {
            foreach (var d in _shuffled) d.Message.Release();
            _shuffled.Clear();
        }
        foreach (var g in _gates) g.Clear();
    }

    private readonly record struct Delivery(int To, int Port, Message Message);
}
