using Akka.Actor;
using Apical.Actors;
using Apical.Actors.Cluster;
using Apical.Actors.Hosting;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Cli.Actors;

/// <summary>How <c>apical train</c> runs on the actor runtime: in an embedded single-node cluster, or as a
/// client of an existing cluster whose worker nodes host the layers.</summary>
internal sealed record ActorEngineOptions(string Placement, string? Cluster);

internal static class ActorEngine
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The train function of <see cref="TrainServices"/> for the chosen engine. <paramref name="engine"/>
    /// null: the config's <c>engine.type</c> decides; a cluster address implies the actor runtime.</summary>
    public static Func<RunConfig, DataSplits, IRunObserver, CancellationToken, string?, RunResult> Select(
        string? engine, ActorEngineOptions actors)
        => (config, data, observer, cancel, resumeFrom) =>
        {
            if (!UsesActors(engine, actors, config)) return Experiment.Run(config, data, observer, cancel, resumeFrom);
            if (config.Rule is RuleKind.Dfc or RuleKind.StrongDfc)
                DfcActorEngine.CheckConfig(config); // before a cluster node starts
            else if (config.Rule is RuleKind.Gle && resumeFrom is not null)
                throw new UsageException("--resume: GLE runs cannot be resumed from a checkpoint yet");
            else if (config.Rule is not (RuleKind.Bp or RuleKind.Fa or RuleKind.Dfa or RuleKind.Gle))
                throw new UsageException($"--engine actors: training runs of rule '{config.Rule.ConfigName()}' are driven in-process only for now; use --engine inproc");
            return Run(config, data, observer, cancel, actors, resumeFrom);
        };

    /// <summary>The config loader of <see cref="TrainServices"/>: <paramref name="load"/>, then, when the run goes to
    /// the actor runtime, what only the actor runtime refuses (a DFC sweep schedule) — before the run directory exists.</summary>
    public static Func<string, RunConfig> CheckedLoader(string? engine, ActorEngineOptions actors, Func<string, RunConfig> load)
        => path =>
        {
            var config = load(path);
            if (UsesActors(engine, actors, config) && config.Rule is RuleKind.Dfc or RuleKind.StrongDfc) DfcActorEngine.CheckConfig(config, path);
            return config;
        };

    /// <summary>A cluster address implies the actor runtime; else <c>--engine</c>, else the config's <c>engine.type</c>.</summary>
    private static bool UsesActors(string? engine, ActorEngineOptions actors, RunConfig config) =>
        actors.Cluster is not null || engine switch
        {
            "actors" => true,
            "inproc" => false,
            _ => config.Engine.Type == EngineKind.Actors,
        };

    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel, ActorEngineOptions o,
        string? resumeFrom = null)
    {
        var nodeOptions = o.Cluster is null
            ? new ClusterNodeOptions { ExtraHocon = "akka.loglevel = WARNING" }
            : new ClusterNodeOptions
            {
                Seeds = new[] { o.Cluster },
                Roles = new[] { "client" },
                ExtraHocon = "akka.loglevel = WARNING",
            };
        var system = ClusterBootstrap.StartNode(nodeOptions);
        try
        {
            var region = ClusterBootstrap.StartLayerRegion(system);
            observer.OnEvent(o.Cluster is null
                ? $"actor runtime: embedded cluster node {Akka.Cluster.Cluster.Get(system).SelfAddress}"
                : $"actor runtime: joining cluster at {o.Cluster} as a client");
            ClusterBootstrap.WaitForMembersAsync(system, 1, ClusterNodeOptions.WorkerRole, JoinTimeout, cancel).GetAwaiter().GetResult();
            ClusterBootstrap.WaitForRegionsAsync(region, 1, JoinTimeout, cancel).GetAwaiter().GetResult();
            int workers = Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(ClusterNodeOptions.WorkerRole));
            observer.OnEvent($"actor runtime: {workers} worker node(s), placement {o.Placement}");
            var host = ClusterBootstrap.HostFor(region, o.Placement);
            return config.Rule switch
            {
                RuleKind.Dfc or RuleKind.StrongDfc => DfcActorTrainer.Run(system, host, config, data, observer, cancel, resumeFrom: resumeFrom),
                RuleKind.Gle => GleOnActors.Run(system, host, config, data, observer, cancel),
                _ => ActorTrainer.Run(system, host, config, data, observer, cancel, resumeFrom: resumeFrom),
            };
        }
        finally
        {
            CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(TimeSpan.FromSeconds(20));
        }
    }
}
