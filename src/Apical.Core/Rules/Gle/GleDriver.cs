using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>Chooses the GLE driver for a config: stream tasks (lagline, lagnet) or streamed classification.</summary>
public static class GleDriver
{
    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel)
    {
        if (config.Data.Name is DatasetNames.LagLine or DatasetNames.LagNet)
        {
            using var stream = new GleStreamSession(config);
            return stream.Run(observer, cancel);
        }
        using var session = new GleSession(config, data);
        return session.Run(observer, cancel);
    }
}
