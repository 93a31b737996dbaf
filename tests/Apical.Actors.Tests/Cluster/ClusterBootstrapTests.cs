using Akka.Cluster.Sharding;
using Apical.Actors.Cluster;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary>A node is a cluster member before it starts its shard region; it must already read the coordinator's and
/// the singleton manager's messages then (hand-over, region registration), else they are dropped as undeserializable.</summary>
public sealed class ClusterBootstrapTests
{
    private static readonly Type HandOverDone = typeof(Akka.Cluster.Tools.Singleton.ClusterSingletonManager).Assembly
        .GetType("Akka.Cluster.Tools.Singleton.HandOverDone", throwOnError: true)!;

    [Fact]
    public async Task A_new_node_reads_sharding_and_singleton_messages_before_its_region_starts()
    {
        var system = ClusterBootstrap.StartNode(new ClusterNodeOptions { ExtraHocon = "akka.loglevel = WARNING" });
        try
        {
            Assert.Equal("ClusterShardingMessageSerializer", system.Serialization.FindSerializerForType(typeof(ShardingEnvelope)).GetType().Name);
            Assert.Equal("ClusterSingletonMessageSerializer",
                system.Serialization.FindSerializerForType(HandOverDone).GetType().Name);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
