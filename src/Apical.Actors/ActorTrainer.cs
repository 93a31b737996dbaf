using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Actors.Protocol;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Actors;

/// <summary>Runs a training job of a discrete rule on the actor runtime: the same <see cref="TrainingSession"/>
/// as the in-process engine, with a <see cref="RunCoordinator"/> as its engine.</summary>
public static class ActorTrainer
{
    /// <summary>A session whose graph is hosted by <paramref name="host"/> (local actors or shard entities).
    /// Dispose it to stop the run's entities.</summary>
    public static TrainingSession CreateSession(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data, ActorRunOptions? options = null)
    {
        options ??= new ActorRunOptions();
        var train = data.Train;
        var blueprint = RunBlueprintCodec.Create(config, train.InputSize, train.OutputSize, train.NumClasses > 0);
        return new TrainingSession(config, data, network => new RunCoordinator(system, network, blueprint, host, options));
    }

    /// <summary>Trains for <c>config.Epochs</c> epochs, optionally continuing from a checkpoint directory; blocks the
    /// calling thread (not an actor's).</summary>
    public static RunResult Run(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data, IRunObserver observer,
        CancellationToken cancel, ActorRunOptions? options = null, string? resumeFrom = null)
    {
        using var session = CreateSession(system, host, config, data, options);
        if (resumeFrom is not null)
        {
            session.Restore(resumeFrom);
            observer.OnEvent($"continuing from checkpoint {resumeFrom} after epoch {session.EpochsDone}");
        }
        return session.Run(observer, cancel);
    }
}
