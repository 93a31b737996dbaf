using Akka.Cluster.Sharding;
using Apical.Actors.Protocol;

namespace Apical.Actors.Sharding;

/// <summary>
/// Entity ids of the <c>layer</c> entity type are <c>&lt;run&gt;/&lt;node&gt;</c>; every entity has its own shard
/// (one shard per layer), whose id <c>&lt;run&gt;/&lt;node&gt;/&lt;node count&gt;/&lt;placement&gt;</c> carries what
/// <see cref="PlacementAllocationStrategy"/> needs to place it. Only envelopes are routed; anything else is not a
/// sharded message (null).
/// </summary>
public sealed class LayerMessageExtractor : IMessageExtractor
{
    public const string TypeName = "layer";

    public static string EntityIdOf(string runId, int nodeId) => $"{runId}/{nodeId}";

    public static string ShardIdOf(string runId, int nodeId, int nodeCount, string placement) => $"{runId}/{nodeId}/{nodeCount}/{placement}";

    public string? EntityId(object message) => message switch
    {
        LayerEnvelope e => EntityIdOf(e.RunId, e.NodeId),
        TensorEnvelope t => EntityIdOf(t.Message.RunId, t.NodeId),
        _ => null,
    };

    public object? EntityMessage(object message) => message switch
    {
        LayerEnvelope e => e.Message,
        TensorEnvelope t => t.Message,
        _ => null,
    };

    public string? ShardId(object message) => message switch
    {
        LayerEnvelope e => ShardIdOf(e.RunId, e.NodeId, e.NodeCount, e.Placement),
        TensorEnvelope t => ShardIdOf(t.Message.RunId, t.NodeId, t.NodeCount, t.Placement),
        _ => null,
    };

    public string ShardId(string entityId, object? messageHint = null)
        => (messageHint is null ? null : ShardId(messageHint)) ?? entityId;
}
