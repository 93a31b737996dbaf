using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Apical.Actors.Hosting;
using Apical.Actors.Sharding;

namespace Apical.Actors.Cluster;

/// <summary>Where and how a cluster node starts.</summary>
public sealed class ClusterNodeOptions
{
    public const string WorkerRole = "worker";

    /// <summary>The actor system name; every node of a cluster must use the same one.</summary>
    public string SystemName { get; init; } = "apical";

    /// <summary>Host name or IP the node binds to and is reached at.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seed nodes as <c>host:port</c>; empty: the node joins itself (the first node of a new cluster).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = Array.Empty<string>();

    /// <summary>Cluster roles; <see cref="WorkerRole"/> hosts layer entities, nodes without it are clients.</summary>
    public IReadOnlyList<string> Roles { get; init; } = new[] { WorkerRole };

    /// <summary>Extra HOCON placed above the runtime defaults (e.g. <c>akka.loglevel = DEBUG</c>).</summary>
    public string ExtraHocon { get; init; } = "";
}

/// <summary>Starts cluster nodes and the <c>layer</c> shard region (HOCON built on <see cref="ApicalConfig"/>).</summary>
public static class ClusterBootstrap
{
    /// <summary>The HOCON of a node with these options, over the embedded defaults.</summary>
    public static Config ConfigFor(ClusterNodeOptions o)
    {
        string roles = string.Join(", ", o.Roles.Select(r => $"\"{r}\""));
        string seeds = string.Join(", ", o.Seeds.Select(s => $"\"akka.tcp://{o.SystemName}@{s}\""));
        var node = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = "{{o.Hostname}}"
            akka.remote.dot-netty.tcp.port = {{o.Port}}
            akka.cluster.roles = [{{roles}}]
            akka.cluster.seed-nodes = [{{seeds}}]
            """);
        var extra = string.IsNullOrWhiteSpace(o.ExtraHocon) ? Config.Empty : ConfigurationFactory.ParseString(o.ExtraHocon);
        // Sharding's, the singleton's and distributed data's serializers from the start: a node is a member (and can be
        // sent coordinator hand-over and region messages) before it starts its shard region.
        return extra.WithFallback(node).WithFallback(ApicalConfig.Default)
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
    }

    /// <summary>Starts a node; with no seeds it joins itself and forms a new cluster.</summary>
    public static ActorSystem StartNode(ClusterNodeOptions options)
    {
        var system = ActorSystem.Create(options.SystemName, ConfigFor(options));
        if (options.Seeds.Count == 0) Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress);
        return system;
    }

    /// <summary>Starts the <c>layer</c> shard region (a worker) or a proxy of it (a client node).</summary>
    public static IActorRef StartLayerRegion(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var sharding = ClusterSharding.Get(system);
        var extractor = new LayerMessageExtractor();
        if (!cluster.SelfRoles.Contains(ClusterNodeOptions.WorkerRole))
            return sharding.StartProxy(LayerMessageExtractor.TypeName, ClusterNodeOptions.WorkerRole, extractor);
        var settings = ClusterShardingSettings.Create(system)
            .WithRole(ClusterNodeOptions.WorkerRole)
            .WithRememberEntities(false)
            .WithPassivateIdleAfter(TimeSpan.Zero)
            .WithStateStoreMode(StateStoreMode.DData);
        return sharding.Start(LayerMessageExtractor.TypeName, LayerActor.Props(), settings, extractor,
            new PlacementAllocationStrategy(cluster.SelfAddress), PoisonPill.Instance);
    }

    /// <summary>A layer host over the region, with the run's placement.</summary>
    public static ILayerHost HostFor(IActorRef region, string placement)
    {
        if (Placements.Validate(placement) is { } problem) throw new ArgumentException(problem, nameof(placement));
        return new ShardedLayerHost(region, placement);
    }

    /// <summary>Completes when this node is Up and at least <paramref name="members"/> members (with
    /// <paramref name="role"/>, when given) are Up.</summary>
    public static async Task WaitForMembersAsync(ActorSystem system, int members, string? role, TimeSpan timeout, CancellationToken cancel = default)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = cluster.State;
            int up = 0;
            bool selfUp = false;
            foreach (var m in state.Members)
            {
                if (m.Status != MemberStatus.Up) continue;
                if (m.Address == cluster.SelfAddress) selfUp = true;
                if (role is null || m.HasRole(role)) up++;
            }
            if (selfUp && up >= members) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{up} of {members} {(role is null ? "" : role + " ")}members up after {timeout.TotalSeconds:0} s");
            await Task.Delay(100, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when the shard coordinator knows at least <paramref name="regions"/> worker regions.</summary>
    public static async Task WaitForRegionsAsync(IActorRef region, int regions, TimeSpan timeout, CancellationToken cancel = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var current = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(2), cancel).ConfigureAwait(false);
                if (current.Regions.Count >= regions) return;
            }
            catch (AskTimeoutException)
            {
                // the coordinator is not up yet
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"fewer than {regions} shard regions registered after {timeout.TotalSeconds:0} s");
            await Task.Delay(200, cancel).ConfigureAwait(false);
        }
    }
}
