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
        _ when resumeFrom is not null => throw new NotSupportedException($"runs of rule '{config.Rule}' cannot be resumed from a checkpoint yet"),
        RuleKind.Gle => Rules.Gle.GleDriver.Run(config, data, observer, cancel),
        RuleKind.Dfc or RuleKind.StrongDfc => RunDfc(config, data, observer, cancel),
        _ => throw new NotSupportedException($"rule '{config.Rule}' has no in-process driver yet"),
    };

    private static RunResult RunDfc(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel)
    {
        using var session = new Rules.Dfc.DfcSession(config, data);
        return session.Run(observer, cancel);
    }
}
