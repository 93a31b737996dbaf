using Apical.Actors.Cluster;
using Apical.Actors.Hosting;
using Apical.Actors.Sharding;
using Apical.Actors.Tests.TestSupport;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary>The toy continuous-time rule in lockstep on 2–3 ActorSystems of one cluster (placement spread), with
/// windows of up to d steps per message over remote links of delay d.</summary>
public sealed class ContinuousClusterTests
{
    [Theory]
    [InlineData(2, 3, 0.0)]
    [InlineData(3, 1, 0.0)]
    [InlineData(2, 3, 0.1)]
    public async Task Sharded_lockstep_run_is_bit_identical_to_in_process(int workers, int delay, double loss)
    {
        await using var cluster = await TestCluster.StartAsync(workers);
        var host = ClusterBootstrap.HostFor(cluster.Regions[0], Placements.Spread);
        var config = ToyLeakyGraph.Config(new[] { 3, 4, 5, 2 }, 2, delay, loss: loss);
        await Task.Run(() => ContinuousComparison.AssertSameAsInProcess(cluster.Systems[0], host, config, 60,
            new ContinuousRunOptions { Graph = ToyLeakyGraph.Name, RunId = $"ct{workers}-{delay}-{loss * 10:0}", Timeout = TimeSpan.FromSeconds(30) },
            run =>
            {
                var (windows, messages) = run.WindowsSent();
                if (workers >= 2 && delay >= 2)
                {
                    Assert.True(windows > 0, "no windows crossed the remote links");
                    Assert.True(messages >= 2 * windows);
                    Assert.True(messages <= delay * windows);
                }
                else
                {
                    Assert.Equal(0, windows);
                }
            }));
    }
}
