using Apical.Tests.Shared;
using Apical.Core.Checkpoints;
using Apical.Core.Data;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Optimization;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.Metrics;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>Checkpoint and resume of DFC and Strong-DFC runs: a run continued from a checkpoint written after the
/// pre-training or after an epoch equals the uninterrupted run bit for bit.</summary>
public class DfcResumeTests
{
    public static RunConfig Config(RuleKind rule, int epochs = 3, int hidden = 8, int pretrain = 1, int keep = 0)
    {
        var c = TinyNetworks.Config(rule, new[] { 10, hidden, 3 }, new OptimizerSpec { LearningRate = 1e-2, Beta1 = 0.9, Beta2 = 0.99, ClipNorm = 1 },
            batchSize: 20, epochs: epochs);
        var fb = new OptimizerSpec { LearningRate = 1e-3, Beta1 = 0.99, Beta2 = 0.999, WeightDecay = 0.01, ClipNorm = 1 };
        var pre = new OptimizerSpec { LearningRate = 2e-3, Beta1 = 0.99, Beta2 = 0.999, WeightDecay = 0.01, ClipNorm = 1 };
        var schedule = TransmissionSchedule.Jacobi;
        var dfc = rule == RuleKind.StrongDfc
            ? new DfcSpec
            {
                Forward = new DfcSimulationSpec { Dt = 0.01, Steps = 30, TauV = 0.05, Alpha = 1e-3, Kp = 2, Noise = NoiseKind.LowPass, Sigma = 0.01, Schedule = schedule },
                Feedback = new DfcSimulationSpec { Dt = 0.01, Steps = 30, TauV = 0.05, Alpha = 0.05, Kp = 0.1, Noise = NoiseKind.LowPass, Sigma = 0.01, Schedule = schedule },
                TargetClassValue = 0.9, TauNoise = 0.05, TauF = 0.5, ScalingFbUpdates = true, InitFbEpochs = pretrain, ExtraFbEpochs = 1,
                FeedbackOptimizer = fb, PretrainOptimizer = pre, ProbeBatchSize = 8,
            }
            : new DfcSpec
            {
                Forward = new DfcSimulationSpec { Dt = 0.02, Steps = 30, TauV = 0.2, Alpha = 1e-2, Kp = 2, Schedule = schedule },
                Feedback = new DfcSimulationSpec { Dt = 2e-3, Steps = 20, TauV = 0.01, TauFb = 0.3, Alpha = 0.25, Kp = 0.1, Noise = NoiseKind.White, Sigma = 0.01, Schedule = schedule },
                TargetStepsize = 0.1, TargetClassValue = 1, InitFbEpochs = pretrain,
                FeedbackOptimizer = fb, PretrainOptimizer = pre, ProbeBatchSize = 8,
            };
        return new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = c.Epochs, Rule = rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = c.BatchSize, Optimizer = c.Optimizer, Engine = c.Engine, Evaluation = c.Evaluation, Dfc = dfc,
            Checkpoint = new CheckpointSpec { EveryEpochs = 1, Keep = keep },
        };
    }

    public static DataSplits Data() => TinyNetworks.Splits(TinyNetworks.Classification(60, 10, 3, seed: 4));

    public static float[][] Parameters(DfcNetwork net)
    {
        var list = new List<float[]>();
        foreach (var l in net.Layers)
        {
            list.Add(l.Weights.ReadOnlySpan.ToArray());
            list.Add(l.Bias.ReadOnlySpan.ToArray());
            list.Add(l.FeedbackWeights.ReadOnlySpan.ToArray());
        }
        return list.ToArray();
    }

    /// <summary>Every value of a metrics row but the timings.</summary>
    public static double[] Values(EpochMetrics m)
    {
        var v = new List<double> { m.Epoch, m.Step, m.TrainLoss, m.TrainAccuracy, m.ValidationLoss, m.ValidationAccuracy, m.TestLoss, m.TestAccuracy };
        foreach (var kv in m.Extra) v.Add(kv.Value);
        return v.ToArray();
    }

    [Theory]
    [InlineData(RuleKind.Dfc, "epoch-000001")]
    [InlineData(RuleKind.Dfc, "epoch-000000")]
    [InlineData(RuleKind.StrongDfc, "epoch-000001")]
    [InlineData(RuleKind.StrongDfc, "epoch-000000")]
    public void AResumedRunEqualsTheUninterruptedOneBitForBit(RuleKind rule, string checkpoint)
    {
        using var tmp = new TempDir();
        var data = Data();
        using var straight = new DfcSession(Config(rule), data);
        var straightObserver = new StoringObserver(tmp.File("straight"));
        Assert.True(straight.Run(straightObserver, CancellationToken.None).Completed);
        Assert.Contains(straightObserver.Events, e => e.EndsWith(checkpoint));

        using var resumed = new DfcSession(Config(rule), data);
        resumed.Restore(Path.Combine(tmp.File("straight"), checkpoint));
        int from = checkpoint == "epoch-000001" ? 1 : 0;
        Assert.Equal(from, resumed.EpochsDone);
        Assert.Equal(1, resumed.PretrainEpochsDone);
        var observer = new StoringObserver(tmp.File("resumed"));
        Assert.True(resumed.Run(observer, CancellationToken.None).Completed);

        Assert.Equal(Parameters(straight.Network), Parameters(resumed.Network));
        var expected = straightObserver.Epochs.Where(e => e.Epoch > from).ToList();
        Assert.Equal(expected.Count, observer.Epochs.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(Values(expected[i]), Values(observer.Epochs[i]));
        // the resumed run writes the same checkpoints: their files hold the same bytes
        Assert.Equal(Files(Path.Combine(tmp.File("straight"), "epoch-000003")), Files(Path.Combine(tmp.File("resumed"), "epoch-000003")));
    }

    [Theory]
    [InlineData(RuleKind.Dfc)]
    [InlineData(RuleKind.StrongDfc)]
    public void ARunStoppedDuringThePretrainingResumesBitForBit(RuleKind rule)
    {
        using var tmp = new TempDir();
        var data = Data();
        using var straight = new DfcSession(Config(rule, epochs: 2, pretrain: 3), data);
        var straightObserver = new StoringObserver(tmp.File("straight"));
        Assert.True(straight.Run(straightObserver, CancellationToken.None).Completed);

        using var cancel = new CancellationTokenSource();
        using (var stopped = new DfcSession(Config(rule, epochs: 2, pretrain: 3), data))
        {
            var observer = new StoringObserver(tmp.File("stopped")) { OnEventHook = e => { if (e.StartsWith("checkpoint: ")) cancel.Cancel(); } };
            Assert.False(stopped.Run(observer, cancel.Token).Completed);
            Assert.Equal(1, stopped.PretrainEpochsDone);
        }
        using var resumed = new DfcSession(Config(rule, epochs: 2, pretrain: 3), data);
        resumed.Restore(Path.Combine(tmp.File("stopped"), "epoch-000000"));
        Assert.Equal(1, resumed.PretrainEpochsDone);
        var resumedObserver = new StoringObserver(tmp.File("resumed"));
        Assert.True(resumed.Run(resumedObserver, CancellationToken.None).Completed);

        Assert.Equal(Parameters(straight.Network), Parameters(resumed.Network));
        var expected = straightObserver.Epochs.Where(e => e.Epoch > 0).ToList();
        Assert.Equal(expected.Count, resumedObserver.Epochs.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(Values(expected[i]), Values(resumedObserver.Epochs[i]));
    }

    [Fact]
    public void PruningSparesThePretrainingCheckpointAndThatOfTheKeptEpoch()
    {
        using var tmp = new TempDir();
        var config = Config(RuleKind.Dfc, epochs: 3, keep: 1);
        using var session = new DfcSession(config, Data());
        StoringObserver observer = null!;
        observer = new StoringObserver(tmp.File("ck")) { OnEventHook = e => { if (e.EndsWith("epoch-000001")) observer.KeptEpoch = 1; } };
        Assert.True(session.Run(observer, CancellationToken.None).Completed);
        Assert.Equal(new[] { "epoch-000000", "epoch-000001", "epoch-000003" },
            Directory.GetDirectories(tmp.File("ck")).Select(Path.GetFileName).Order().ToArray());
    }

    private static byte[][] Files(string dir) =>
        Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();

    [Fact]
    public void ACheckpointOfAnotherRuleShapeOrBeyondTheEpochsIsRefusedNamingTheFile()
    {
        using var tmp = new TempDir();
        var data = Data();
        using (var s = new DfcSession(Config(RuleKind.Dfc, epochs: 2), data))
            s.Run(new StoringObserver(tmp.File("ck")), CancellationToken.None);
        string dir = Path.Combine(tmp.File("ck"), "epoch-000002");

        using var strong = new DfcSession(Config(RuleKind.StrongDfc), data);
        var e = Assert.Throws<CheckpointException>(() => strong.Restore(dir));
        Assert.EndsWith("session.ckpt", e.FilePath);
        Assert.Contains("is a checkpoint of a dfc run, the config trains strong-dfc", e.Message);

        var bp = TinyNetworks.Config(RuleKind.Bp, new[] { 10, 8, 3 }, new OptimizerSpec { LearningRate = 1e-2 }, batchSize: 20, epochs: 3);
        e = Assert.Throws<CheckpointException>(() => Apical.Core.Engine.Trainer.Run(bp, data, new StoringObserver(tmp.File("bp")), CancellationToken.None, dir));
        Assert.EndsWith("session.ckpt", e.FilePath);
        Assert.Contains("is a checkpoint of a dfc run, the config trains bp", e.Message);

        using var shorter = new DfcSession(Config(RuleKind.Dfc, epochs: 1), data);
        e = Assert.Throws<CheckpointException>(() => shorter.Restore(dir));
        Assert.Contains("beyond the 1 epochs", e.Message);

        using var wider = new DfcSession(Config(RuleKind.Dfc, hidden: 9), data);
        e = Assert.Throws<CheckpointException>(() => wider.Restore(dir));
        Assert.Contains("node-0001-layer1.ckpt", e.FilePath);
        Assert.Contains("expected 9x10", e.Message);
    }
}
