using Apical.Core.Engine;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>The engine a GLE session streams through and the graph it runs: node 0 of <see cref="Topology"/> is the
/// <see cref="GleStreamSource"/> the engine emits from, so the session sets its data there.</summary>
public sealed record GleRun(ILockstepEngine Engine, Topology Topology);

/// <summary>Starts the engine of a GLE run for a config and the data shape (see <see cref="GleNetwork.Build(RunConfig, GraphShape)"/>).</summary>
public delegate GleRun GleEngineFactory(RunConfig config, GraphShape shape);

public static class GleEngines
{
    /// <summary>The in-process lockstep engine (the oracle); <paramref name="deliveryShuffleSeed"/> shuffles message
    /// delivery to show that results do not depend on it.</summary>
    public static GleEngineFactory InProcess(string runId = "local", int? deliveryShuffleSeed = null) => (config, shape) =>
    {
        var network = GleNetwork.Build(config, shape);
        var engine = new InProcessLockstepEngine(network.Topology, runId, GleNetwork.BatchCapacity(config), config.Seed, deliveryShuffleSeed);
        return new GleRun(engine, network.Topology);
    };
}
