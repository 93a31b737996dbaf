using Apical.Actors.Cluster;
using Apical.Actors.Hosting;
using Apical.Actors.Sharding;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary>Check 15 on cluster-sharded entities: one worker with every message serialized, and two workers with
/// neighbours on different nodes (tensors and commands cross Akka.Remote); and a checkpoint taken from and restored
/// into entities spread over two nodes.</summary>
public sealed class DfcClusterTests
{
    [Theory]
    [InlineData(RuleKind.Dfc)]
    [InlineData(RuleKind.StrongDfc)]
    public async Task One_node_cluster_with_serialized_messages_is_bit_identical_to_in_process(RuleKind rule)
    {
        await using var cluster = await TestCluster.StartAsync(1, """
            akka.actor.serialize-messages = on
            akka.loglevel = WARNING
            """);
        Assert.True(cluster.Systems[0].Settings.SerializeAllMessages);
        var host = ClusterBootstrap.HostFor(cluster.Regions[0], Placements.Colocate);
        await Task.Run(() => DfcComparison.AssertSameAsInProcess(cluster.Systems[0], host, rule,
            new ActorRunOptions { RunId = $"dfc1-{rule}", Timeout = TimeSpan.FromSeconds(30) }));
    }

    [Fact]
    public async Task Two_node_cluster_with_spread_placement_is_bit_identical_to_in_process()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var host = ClusterBootstrap.HostFor(cluster.Regions[0], Placements.Spread);
        await Task.Run(() => DfcComparison.AssertSameAsInProcess(cluster.Systems[0], host, RuleKind.Dfc,
            new ActorRunOptions { RunId = "dfc2", Timeout = TimeSpan.FromSeconds(30) }));
    }

    [Fact]
    public async Task A_checkpoint_of_a_spread_two_node_run_resumes_bit_identically()
    {
        await using var cluster = await TestCluster.StartAsync(2); // remote neighbours: checkpoint bytes cross Akka.Remote
        var host = ClusterBootstrap.HostFor(cluster.Regions[0], Placements.Spread);
        await Task.Run(() => DfcResumeComparison.AssertResumes(cluster.Systems[0], host, RuleKind.Dfc, "dfc2-resume"));
    }
}
