using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Rules.Dfc;

namespace Apical.Actors;

/// <summary>Runs a <c>dfc</c> or <c>strong-dfc</c> training job on the actor runtime: the same
/// <see cref="DfcSession"/> as in-process, with a <see cref="DfcActorEngine"/> hosting the layers and the controller.</summary>
public static class DfcActorTrainer
{
    /// <summary>A session whose nodes are hosted by <paramref name="host"/>; dispose it to stop the entities.</summary>
    public static DfcSession CreateSession(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data, ActorRunOptions? options = null)
    {
        DfcActorEngine.CheckConfig(config);
        var train = data.Train;
        var shape = new GraphShape(train.InputSize, train.OutputSize, train.NumClasses > 0);
        return new DfcSession(config, data, (c, _) => new DfcActorEngine(system, host, c, shape, options));
    }

    /// <summary>Trains for <c>config.Epochs</c> epochs, continuing from the checkpoint <paramref name="resumeFrom"/> if
    /// given (written on either engine); blocks the calling thread (not an actor's).</summary>
    public static RunResult Run(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data, IRunObserver observer,
        CancellationToken cancel, ActorRunOptions? options = null, string? resumeFrom = null)
    {
        using var session = CreateSession(system, host, config, data, options);
        Experiment.Resume(session, observer, resumeFrom);
        return session.Run(observer, cancel);
    }
}
