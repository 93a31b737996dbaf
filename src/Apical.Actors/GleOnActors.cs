using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Rules.Gle;

namespace Apical.Actors;

/// <summary>GLE runs on the actor runtime: the same sessions as the in-process engine (<see cref="GleDriver"/>), with a
/// <see cref="ContinuousRun"/> as their lockstep engine; the source streams from the run's driver actor.</summary>
public static class GleOnActors
{
    /// <summary>Starts a <see cref="ContinuousRun"/> of the GLE graph hosted by <paramref name="host"/> (local actors or
    /// shard entities); the session disposes it, which stops the entities.</summary>
    public static GleEngineFactory Factory(ActorSystem system, ILayerHost host, ContinuousRunOptions? options = null) => (config, shape) =>
    {
        var run = new ContinuousRun(system, host, config, shape, options);
        return new GleRun(run, run.Topology);
    };

    /// <summary>Runs a GLE config to the end; blocks the calling thread (not an actor's).</summary>
    public static RunResult Run(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data, IRunObserver observer,
        CancellationToken cancel, ContinuousRunOptions? options = null) =>
        GleDriver.Run(config, data, observer, cancel, Factory(system, host, options));
}
