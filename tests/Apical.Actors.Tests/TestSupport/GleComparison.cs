using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Gle;
using Xunit;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>Runs GLE sessions on the in-process engine and on the actor runtime and asserts that every parameter
/// and every per-epoch metric (wall-clock figures excepted) is the same to the bit.</summary>
internal static class GleComparison
{
    public static readonly Lazy<DataSplits> Mnist1d = new(() =>
        Mnist1dData.Load(SmallMnist1d().Data));

    /// <summary>A small MNIST-1D GLE run: 4 values per step (90 steps per sample), 1 → 8 → 8 → 10 with lag and LE
    /// units, batch 10, the test set (16 rows) tiled from the training state, Adam, and a plateau scheduler that
    /// halves the learning rate after every epoch from the second on.</summary>
    public static RunConfig SmallMnist1d(int epochs = 3)
    {
        List<TauSegment> Tau(double lag, double le) => [new() { Count = 4, Value = lag }, new() { Count = 4, Value = le }];
        return new RunConfig
        {
            Name = "gle-small",
            Seed = 7,
            Epochs = epochs,
            Rule = RuleKind.Gle,
            Data = new DataSpec { Name = DatasetNames.Mnist1d, TrainLimit = 30, TestLimit = 16 },
            Network = new NetworkSpec
            {
                Layers = [new() { Out = 8, Activation = Activation.Tanh }, new() { Out = 8, Activation = Activation.Tanh }, new() { Out = 10, Activation = Activation.Linear }],
            },
            Loss = LossKind.SoftmaxCrossEntropy,
            BatchSize = 10,
            Optimizer = new OptimizerSpec { Type = OptimizerKind.Adam, LearningRate = 3e-3 },
            Evaluation = new EvaluationSpec { BatchSize = 16, Validation = false, AtStart = true },
            Gle = new GleSpec
            {
                Dt = 0.2, InputChannels = 4, TileEvaluation = true,
                Plateau = new GlePlateauSpec { Patience = 0, Factor = 0.5, Threshold = 0.99 },
                Layers =
                [
                    new() { TauM = Tau(0.6, 1.2), TauR = Tau(0.2, 1.2) },
                    new() { TauM = Tau(0.6, 1.2), TauR = Tau(0.2, 1.2) },
                    new() { TauM = [new() { Value = 1.2 }] },
                ],
            },
        };
    }

    /// <summary>The shipped LagLine config, shortened to <paramref name="steps"/> steps in 3 epochs, with link delay
    /// <paramref name="delay"/>, jitter and loss.</summary>
    public static RunConfig ShortLagLine(int steps, int delay, int jitter, double loss)
    {
        var text = File.ReadAllText(RepoFile("configs/lagline-gle.json"));
        var c = RunConfigLoader.Parse(text, "lagline-gle.json");
        Assert.Empty(RunConfigValidator.Validate(c));
        var gle = c.Gle!;
        return new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = 3, Rule = c.Rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = 8, Optimizer = new OptimizerSpec { Type = OptimizerKind.Adam, LearningRate = 1e-3 },
            Evaluation = c.Evaluation,
            Engine = new EngineSpec { Jitter = jitter, Loss = loss },
            Gle = new GleSpec
            {
                Dt = gle.Dt, Beta = gle.Beta, Gamma = gle.Gamma, ProspectiveErrors = gle.ProspectiveErrors,
                Steps = steps, LearnFromStep = steps / 5, Delay = delay, Layers = gle.Layers, Teacher = gle.Teacher,
            },
        };
    }

    public static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, relative))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new FileNotFoundException(relative), relative);
    }

    /// <summary>Runs <paramref name="config"/> through <see cref="GleDriver"/> on both engines and compares them;
    /// returns the in-process epochs and link statistics for further checks.</summary>
    public static (List<Core.Metrics.EpochMetrics> Epochs, IReadOnlyList<(Link Link, PortStatistics Statistics)> Links) AssertSameAsInProcess(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data,
        ContinuousRunOptions? options = null)
    {
        Assert.Empty(RunConfigValidator.Validate(config));
        var expected = Record(config, data, GleEngines.InProcess("oracle"), out var want, out var wantLinks);
        var actual = Record(config, data, GleOnActors.Factory(system, host, options), out var got, out var gotLinks);
        Assert.Equal(expected.Count, actual.Count);
        for (int e = 0; e < expected.Count; e++)
        {
            var (a, b) = (expected[e], actual[e]);
            Assert.Equal((a.Epoch, a.Step), (b.Epoch, b.Step));
            Assert.Equal((a.TrainLoss, a.TrainAccuracy, a.TestLoss, a.TestAccuracy), (b.TrainLoss, b.TrainAccuracy, b.TestLoss, b.TestAccuracy));
            foreach (var kv in a.Extra)
                if (kv.Key is "lr" or "loss_last_step" || kv.Key.Contains(".w") || kv.Key.Contains(".tauM"))
                    Assert.Equal(kv.Value, b.Extra.Single(x => x.Key == kv.Key).Value);
        }
        Assert.NotEmpty(want);
        ContinuousComparison.AssertSameParameters(want, got);
        Assert.Equal(wantLinks.Count, gotLinks.Count);
        for (int i = 0; i < wantLinks.Count; i++)
        {
            Assert.Equal(wantLinks[i].Link, gotLinks[i].Link);
            var (w, g) = (wantLinks[i].Statistics, gotLinks[i].Statistics);
            Assert.Equal((w.Dropped, w.Late, w.Firings, w.StalenessSum), (g.Dropped, g.Late, g.Firings, g.StalenessSum));
        }
        return (expected, wantLinks);
    }

    private static List<Core.Metrics.EpochMetrics> Record(RunConfig config, DataSplits data, GleEngineFactory factory,
        out IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> parameters, out IReadOnlyList<(Link Link, PortStatistics Statistics)> links)
    {
        IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>>? p = null;
        IReadOnlyList<(Link, PortStatistics)>? l = null;
        // Read the engine's state before the session disposes it.
        GleEngineFactory keep = (c, s) =>
        {
            var run = factory(c, s);
            return run with { Engine = new Reading(run.Engine, e => (p, l) = (e.Parameters(), e.LinkStatistics())) };
        };
        var observer = new RecordingObserver();
        var result = GleDriver.Run(config, data, observer, default, keep);
        Assert.True(result.Completed);
        parameters = p!;
        links = l!;
        return observer.Epochs;
    }

    /// <summary>An engine that hands itself to <paramref name="read"/> just before it is disposed.</summary>
    private sealed class Reading(ILockstepEngine inner, Action<ILockstepEngine> read) : ILockstepEngine
    {
        public void Run(long steps) => inner.Run(steps);
        public bool Reproducible => inner.Reproducible;
        public IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> Parameters() => inner.Parameters();
        public IReadOnlyList<(Link Link, PortStatistics Statistics)> LinkStatistics() => inner.LinkStatistics();
        public NodeReply Command(int node, NodeCommand command) => inner.Command(node, command);

        public void Dispose()
        {
            read(inner);
            inner.Dispose();
        }
    }
}
