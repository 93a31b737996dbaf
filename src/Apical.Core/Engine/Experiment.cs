using Apical.Core.Data;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>Runs a config on the in-process engine, choosing the driver its rule needs.</summary>
public static class Experiment
{
    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel) => config.Rule switch
    {
        RuleKind.Bp or RuleKind.Fa or RuleKind.Dfa => Trainer.Run(config, data, observer, cancel),
        RuleKind.Dfc or RuleKind.StrongDfc => RunDfc(config, data, observer, cancel),
        _ => throw new NotSupportedException($"rule '{config.Rule}' has no in-process driver yet"),
    };

    private static RunResult RunDfc(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel)
    {
        using var session = new Rules.Dfc.DfcSession(config, data);
        return session.Run(observer, cancel);
    }
}
