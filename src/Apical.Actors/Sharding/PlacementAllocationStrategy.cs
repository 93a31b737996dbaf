using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Apical.Actors.Sharding;

/// <summary>
/// Places the shards of a run (one per hosted node, ids from <see cref="LayerMessageExtractor.ShardIdOf"/>) on the
/// worker regions, ordered by node address so every coordinator decides alike:
/// <list type="bullet">
/// <item><c>colocate</c>: contiguous blocks of layers per worker (least network traffic);</item>
/// <item><c>spread</c>: node i on worker (i − 1) mod W, so neighbours sit on different workers when W ≥ 2;</item>
/// <item><c>explicit:1=0;2=1;…</c>: node → worker index (modulo W), e.g. to pin or migrate a layer;</item>
/// <item>anything else (e.g. <c>local</c>, a shard id without a placement): the least loaded worker.</item>
/// </list>
/// Shards never move by themselves (no rebalancing): results never depend on placement anyway.
/// </summary>
public sealed class PlacementAllocationStrategy : IShardAllocationStrategy
{
    private readonly Address _selfAddress;

    /// <param name="selfAddress">The full address of the system that runs the strategy (the address of its own,
    /// local region refs).</param>
    public PlacementAllocationStrategy(Address selfAddress) => _selfAddress = selfAddress;

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var regions = Ordered(currentShardAllocations.Keys);
        if (regions.Count == 0) throw new InvalidOperationException($"no worker region to allocate shard {shardId} to");
        int index = Choose(shardId, regions.Count);
        if (index < 0) index = LeastLoaded(regions, currentShardAllocations);
        return Task.FromResult(regions[index]);
    }

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress)
        => Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

    /// <summary>The worker index (0-based, of <paramref name="workers"/>) a shard goes to, or −1 when its id names no placement.</summary>
    public static int Choose(string shardId, int workers)
    {
        var parts = shardId.Split('/');
        if (parts.Length != 4 || !int.TryParse(parts[1], out int node) || !int.TryParse(parts[2], out int count) || node < 1 || count < 2)
            return -1;
        string placement = parts[3];
        int hosted = count - 1; // node 0, the data source, lives with the coordinator
        if (placement == Placements.Colocate) return (int)((long)(node - 1) * workers / hosted);
        if (placement == Placements.Spread) return (node - 1) % workers;
        if (placement.StartsWith(Placements.ExplicitPrefix, StringComparison.Ordinal))
        {
            foreach (var pair in placement[Placements.ExplicitPrefix.Length..].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=');
                if (kv.Length == 2 && int.TryParse(kv[0], out int n) && n == node && int.TryParse(kv[1], out int w) && w >= 0)
                    return w % workers;
            }
        }
        return -1;
    }

    private List<IActorRef> Ordered(IEnumerable<IActorRef> regions)
    {
        var list = new List<IActorRef>(regions);
        list.Sort((a, b) => string.CompareOrdinal(AddressOf(a), AddressOf(b)));
        return list;
    }

    private string AddressOf(IActorRef region)
    {
        var a = region.Path.Address;
        return (a.HasGlobalScope ? a : _selfAddress).ToString();
    }

    private static int LeastLoaded(List<IActorRef> regions, IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        int best = 0;
        for (int i = 1; i < regions.Count; i++)
            if (allocations[regions[i]].Count < allocations[regions[best]].Count) best = i;
        return best;
    }
}

/// <summary>Placement names (see <see cref="PlacementAllocationStrategy"/>).</summary>
public static class Placements
{
    public const string Colocate = "colocate";
    public const string Spread = "spread";
    public const string ExplicitPrefix = "explicit:";

    /// <summary>An explicit placement: node id → worker index (workers ordered by address).</summary>
    public static string Explicit(IReadOnlyDictionary<int, int> nodeToWorker)
        => ExplicitPrefix + string.Join(';', nodeToWorker.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Checks a placement name; returns null when valid, else the reason.</summary>
    public static string? Validate(string placement)
    {
        if (placement is Colocate or Spread) return null;
        if (!placement.StartsWith(ExplicitPrefix, StringComparison.Ordinal))
            return $"unknown placement '{placement}'; expected colocate, spread or explicit:<node>=<worker>;...";
        foreach (var pair in placement[ExplicitPrefix.Length..].Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[0], out int n) || n < 1 || !int.TryParse(kv[1], out int w) || w < 0)
                return $"explicit placement entry '{pair}' must be <node>=<worker> with node >= 1 and worker >= 0";
        }
        return null;
    }
}
