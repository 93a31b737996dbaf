using Akka.Actor;
using Apical.Actors.Cluster;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>N worker ActorSystems of one cluster in this process, on 127.0.0.1 free ports, each with a layer region.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(List<ActorSystem> systems, List<IActorRef> regions)
    {
        Systems = systems;
        Regions = regions;
    }

    public IReadOnlyList<ActorSystem> Systems { get; }
    public IReadOnlyList<IActorRef> Regions { get; }

    public static async Task<TestCluster> StartAsync(int workers, string extraHocon = "akka.loglevel = WARNING")
    {
        var systems = new List<ActorSystem>();
        var regions = new List<IActorRef>();
        try
        {
            var first = ClusterBootstrap.StartNode(new ClusterNodeOptions { ExtraHocon = extraHocon });
            systems.Add(first);
            var seed = Akka.Cluster.Cluster.Get(first).SelfAddress;
            for (int i = 1; i < workers; i++)
                systems.Add(ClusterBootstrap.StartNode(new ClusterNodeOptions { Seeds = new[] { $"{seed.Host}:{seed.Port}" }, ExtraHocon = extraHocon }));
            foreach (var s in systems) regions.Add(ClusterBootstrap.StartLayerRegion(s));
            var timeout = TimeSpan.FromSeconds(30);
            foreach (var s in systems) await ClusterBootstrap.WaitForMembersAsync(s, workers, ClusterNodeOptions.WorkerRole, timeout);
            await ClusterBootstrap.WaitForRegionsAsync(regions[0], workers, timeout);
            return new TestCluster(systems, regions);
        }
        catch
        {
            await Task.WhenAll(systems.Select(s => s.Terminate()));
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Systems.Select(s => s.Terminate())).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
