using Akka.Actor;
using Apical.Actors.Cluster;
using Apical.Actors.Hosting;
using Apical.Actors.Sharding;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary>The tiny BP run on a cluster of 1, 2 and 3 ActorSystems (placement spread) against the in-process engine.</summary>
public sealed class ClusterEquivalenceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sharded_run_is_bit_identical_to_in_process(int workers)
    {
        await using var cluster = await TestCluster.StartAsync(workers);
        var system = cluster.Systems[0];
        var host = ClusterBootstrap.HostFor(cluster.Regions[0], Placements.Spread);
        var config = EngineComparison.TinyConfig(RuleKind.Bp, 1);
        await Task.Run(() => EngineComparison.AssertSameAsInProcess(system, host, config, EngineComparison.TinySplits(),
            new ActorRunOptions { RunId = $"cluster{workers}", Timeout = TimeSpan.FromSeconds(30) },
            coordinator => AssertSpread(coordinator, cluster, workers)));
    }

    private static void AssertSpread(RunCoordinator coordinator, TestCluster cluster, int workers)
    {
        var self = Akka.Cluster.Cluster.Get(cluster.Systems[0]).SelfAddress;
        var hosts = new List<Address>();
        for (int n = 1; n < coordinator.Nodes.Count; n++)
        {
            var a = coordinator.Nodes[n].Path.Address;
            hosts.Add(a.HasGlobalScope ? a : self);
        }
        Assert.Equal(Math.Min(workers, hosts.Count), hosts.Distinct().Count());
        if (workers >= 2)
            for (int n = 1; n < hosts.Count; n++)
                Assert.NotEqual(hosts[n - 1], hosts[n]); // neighbours on different nodes
    }

    [Fact]
    public void Placement_strategy_maps_nodes_to_workers()
    {
        // 4 hosted nodes (ids 1..4) over 2 workers
        Assert.Equal(new[] { 0, 0, 1, 1 }, Enumerable.Range(1, 4).Select(n => PlacementAllocationStrategy.Choose($"r/{n}/5/colocate", 2)));
        Assert.Equal(new[] { 0, 1, 0, 1 }, Enumerable.Range(1, 4).Select(n => PlacementAllocationStrategy.Choose($"r/{n}/5/spread", 2)));
        var pinned = Placements.Explicit(new Dictionary<int, int> { [1] = 1, [2] = 1, [3] = 0, [4] = 2 });
        Assert.Equal(new[] { 1, 1, 0, 0 }, Enumerable.Range(1, 4).Select(n => PlacementAllocationStrategy.Choose($"r/{n}/5/{pinned}", 2)));
        Assert.Equal(-1, PlacementAllocationStrategy.Choose("r/1", 2));
        Assert.Null(Placements.Validate(pinned));
        Assert.Contains("unknown placement", Placements.Validate("random"));
    }
}
