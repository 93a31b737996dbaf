using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>The outbox the in-process engine gives a node: pooled messages per output kind, routed by the topology.</summary>
internal sealed class NodeOutbox : IOutbox
{
    private readonly InProcessEngine _engine;
    private readonly INode _node;
    private readonly string _runId;
    private readonly MessagePool?[] _pools = new MessagePool?[8];

    public NodeOutbox(InProcessEngine engine, INode node, string runId, int batchCapacity)
    {
        _engine = engine;
        _node = node;
        _runId = runId;
        foreach (var o in node.Outputs) _pools[(int)o.Kind] = new MessagePool(batchCapacity, o.Width);
    }

    public long SegmentEnd { get; set; } = long.MaxValue;

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
        _engine.Route(_node.Id, message);
    }
}
