using Apical.Core.Data;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>Runs a whole training job on the in-process engine.</summary>
public static class Trainer
{
    /// <summary>Trains for <c>config.Epochs</c> epochs, reporting to <paramref name="observer"/>.
    /// Cancellation stops after the current minibatch; the returned result says whether it completed.</summary>
    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel)
        => throw new NotImplementedException();
}

/// <summary>The outcome of a run: the last evaluation and whether every epoch ran.</summary>
public sealed record RunResult(EpochMetrics? Last, bool Completed, int EpochsRun);
