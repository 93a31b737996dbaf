using Apical.Core.Data;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>Runs a config on the in-process engine, choosing the driver its rule needs.</summary>
public static class Experiment
{
    /// <param name="resumeFrom">A checkpoint directory to continue from, or null for a fresh run.</param>
    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel, string? resumeFrom = null) => config.Rule switch
    {
        RuleKind.Bp or RuleKind.Fa or RuleKind.Dfa => Trainer.Run(config, data, observer, cancel, resumeFrom),
        RuleKind.Dfc or RuleKind.StrongDfc => RunDfc(config, data, observer, cancel, resumeFrom),
        _ when resumeFrom is not null => throw new NotSupportedException($"runs of rule '{config.Rule.ConfigName()}' cannot be resumed from a checkpoint yet"),
        RuleKind.Gle => Rules.Gle.GleDriver.Run(config, data, observer, cancel),
        _ => throw new NotSupportedException($"rule '{config.Rule.ConfigName()}' has no in-process driver yet"),
    };

    private static RunResult RunDfc(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel, string? resumeFrom)
    {
        using var session = new Rules.Dfc.DfcSession(config, data);
        Resume(session, observer, resumeFrom);
        return session.Run(observer, cancel);
    }

    /// <summary>Restores a DFC session from <paramref name="resumeFrom"/> (if given) and reports where it continues.</summary>
    public static void Resume(Rules.Dfc.DfcSession session, IRunObserver observer, string? resumeFrom)
    {
        if (resumeFrom is null) return;
        session.Restore(resumeFrom);
        observer.OnEvent($"continuing from checkpoint {resumeFrom} after epoch {session.EpochsDone} ({session.PretrainEpochsDone} feedback pre-training epochs)");
    }
}
