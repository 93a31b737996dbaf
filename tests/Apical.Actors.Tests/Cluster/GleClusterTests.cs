using Apical.Actors.Cluster;
using Apical.Actors.Hosting;
using Apical.Actors.Sharding;
using Apical.Actors.Tests.TestSupport;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary>GLE on shard entities of a one-node cluster with every message serialized and deserialized on send.</summary>
public sealed class GleClusterTests
{
    [Fact]
    public async Task Mnist1d_run_on_a_serializing_cluster_is_bit_identical_to_in_process()
    {
        await using var cluster = await TestCluster.StartAsync(1, """
            akka.loglevel = WARNING
            akka.actor.serialize-messages = on
            """);
        Assert.True(cluster.Systems[0].Settings.SerializeAllMessages);
        var host = ClusterBootstrap.HostFor(cluster.Regions[0], Placements.Colocate);
        var config = GleComparison.SmallMnist1d(epochs: 2);
        var (epochs, _) = await Task.Run(() => GleComparison.AssertSameAsInProcess(cluster.Systems[0], host, config, GleComparison.Mnist1d.Value,
            new ContinuousRunOptions { RunId = "gle-cluster", Timeout = TimeSpan.FromSeconds(60) }));
        Assert.Equal(3, epochs.Count);
        Assert.Equal(1.5e-3, epochs[^1].Extra.Single(kv => kv.Key == "lr").Value); // the plateau change went through a command
    }
}
