using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>Chooses the GLE driver for a config: stream tasks (lagline, lagnet) or streamed classification, on the
/// in-process engine or the one a <see cref="GleEngineFactory"/> starts (the actor runtime).</summary>
public static class GleDriver
{
    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel, GleEngineFactory? engine = null)
    {
        engine ??= GleEngines.InProcess();
        if (GleNetwork.IsStreamTask(config))
        {
            using var stream = new GleStreamSession(config, engine);
            return stream.Run(observer, cancel);
        }
        using var session = new GleSession(config, data, engine);
        return session.Run(observer, cancel);
    }
}
