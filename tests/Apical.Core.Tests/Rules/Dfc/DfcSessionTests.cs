using Apical.Tests.Shared;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Optimization;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>End-to-end runs through <see cref="Experiment.Run"/>, config validation, and condition 2 (check 7).</summary>
public class DfcSessionTests
{
    private static RunConfig Config(RuleKind rule, DfcSpec dfc, int epochs = 5, double clipNorm = 1)
    {
        var c = TinyNetworks.Config(rule, new[] { 10, 16, 3 }, new OptimizerSpec { LearningRate = 1e-2, Beta1 = 0.9, Beta2 = 0.99, ClipNorm = clipNorm },
            batchSize: 20, epochs: epochs);
        return new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = c.Epochs, Rule = rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = c.BatchSize, Optimizer = c.Optimizer, Engine = c.Engine, Evaluation = c.Evaluation, Dfc = dfc,
        };
    }

    private static DfcSpec Dfc(bool strong, TransmissionSchedule schedule = TransmissionSchedule.Sweep) => strong
        ? new DfcSpec
        {
            Forward = new DfcSimulationSpec { Dt = 0.01, Steps = 100, TauV = 0.05, Alpha = 1e-3, Kp = 2, Noise = NoiseKind.LowPass, Sigma = 0.01, Schedule = schedule },
            Feedback = new DfcSimulationSpec { Dt = 0.01, Steps = 100, TauV = 0.05, Alpha = 0.05, Kp = 0.1, Noise = NoiseKind.LowPass, Sigma = 0.01, Schedule = schedule },
            TargetClassValue = 0.9, TauNoise = 0.05, TauF = 0.5, ScalingFbUpdates = true, InitFbEpochs = 1,
            FeedbackOptimizer = new OptimizerSpec { LearningRate = 1e-4, Beta1 = 0.99, Beta2 = 0.999, ClipNorm = 1 },
            PretrainOptimizer = new OptimizerSpec { LearningRate = 1e-3, Beta1 = 0.99, Beta2 = 0.999, ClipNorm = 1 },
            ProbeBatchSize = 8,
        }
        : new DfcSpec
        {
            Forward = new DfcSimulationSpec { Dt = 0.02, Steps = 100, TauV = 0.2, Alpha = 1e-2, Kp = 2, Schedule = schedule },
            Feedback = new DfcSimulationSpec { Dt = 2e-3, Steps = 40, TauV = 0.01, TauFb = 0.3, Alpha = 0.25, Kp = 0.1, Noise = NoiseKind.White, Sigma = 0.01, Schedule = schedule },
            TargetStepsize = 0.1, TargetClassValue = 1, InitFbEpochs = 2,
            FeedbackOptimizer = new OptimizerSpec { LearningRate = 2e-3, Beta1 = 0.99, Beta2 = 0.99, WeightDecay = 0.025, ClipNorm = 1 },
            PretrainOptimizer = new OptimizerSpec { LearningRate = 2e-3, Beta1 = 0.99, Beta2 = 0.99, WeightDecay = 0.025, ClipNorm = 1 },
            ProbeBatchSize = 8,
        };

    [Theory]
    [InlineData(RuleKind.Dfc, TransmissionSchedule.Sweep)]
    [InlineData(RuleKind.Dfc, TransmissionSchedule.Jacobi)]
    [InlineData(RuleKind.StrongDfc, TransmissionSchedule.Sweep)]
    public void LearnsATinyClassificationTask(RuleKind rule, TransmissionSchedule schedule)
    {
        var data = TinyNetworks.Classification(400, 10, 3, seed: 2);
        var config = Config(rule, Dfc(rule == RuleKind.StrongDfc, schedule));
        Assert.Empty(DfcSpecValidator.Validate(config.Dfc!, rule));
        var observer = new NullObserver();
        var result = Experiment.Run(config, TinyNetworks.Splits(data), observer, CancellationToken.None);
        Assert.True(result.Completed);
        var first = observer.Epochs[0];
        var last = result.Last!;
        Assert.True(last.TestAccuracy > 0.7 && last.TestAccuracy > first.TestAccuracy + 0.15,
            $"test accuracy {first.TestAccuracy:P1} -> {last.TestAccuracy:P1}");
        var names = last.Extra.Select(kv => kv.Key).ToArray();
        Assert.Contains("condition2", names);
        Assert.Contains("bp_angle_total", names);
        Assert.Contains("control_effort", names);
        Assert.Equal(names, first.Extra.Select(kv => kv.Key).ToArray());
        if (rule == RuleKind.Dfc)
        {
            Assert.InRange(Extra(last, "ssa_angle_total"), 0, 90); // the weak-target simulation agrees with the analytical steady state
            Assert.InRange(Extra(last, "ssa_distance"), 0, 1);
            Assert.DoesNotContain("h_angle_total", names);
        }
        else
        {
            Assert.DoesNotContain("ssa_angle_total", names);
            // spec check 18 on a small task: the probe's control effort H falls and every update descends H
            Assert.True(Extra(last, "probe_control_effort") < Extra(first, "probe_control_effort"),
                $"H {Extra(first, "probe_control_effort"):g3} -> {Extra(last, "probe_control_effort"):g3}");
            foreach (var epoch in observer.Epochs)
                for (int l = 1; l <= 2; l++) Assert.InRange(Extra(epoch, $"h_angle_l{l}"), 0, 90);
        }
    }

    /// <summary>Strong-DFC (2-phase), spec 15.2: the two-phase schedule with the label as target of both phases.</summary>
    private static DfcSpec TwoPhaseStrong(bool? strong = true, double classValue = 0.9) => new()
    {
        Forward = new DfcSimulationSpec { Dt = 0.01, Steps = 100, TauV = 0.05, Alpha = 1e-2, Kp = 2 },
        Feedback = new DfcSimulationSpec { Dt = 2e-3, Steps = 60, TauV = 0.01, TauFb = 0.1, Alpha = 0.5, Kp = 0.1, Noise = NoiseKind.White, Sigma = 0.05 },
        StrongFeedback = strong, TargetClassValue = classValue, ForwardVariant = ForwardVariant.SteadyState, InitFbEpochs = 1,
        FeedbackOptimizer = new OptimizerSpec { LearningRate = 1e-3, Beta1 = 0.99, Beta2 = 0.999, WeightDecay = 1e-3, ClipNorm = 1 },
        PretrainOptimizer = new OptimizerSpec { LearningRate = 1e-3, Beta1 = 0.99, Beta2 = 0.999, WeightDecay = 1e-3, ClipNorm = 1 },
        ProbeBatchSize = 8,
    };

    [Fact]
    public void StrongFeedbackTwoPhaseTargetsTheLabelInWakeAndSleepAndLearns()
    {
        var data = TinyNetworks.Classification(400, 10, 3, seed: 2);
        var config = Config(RuleKind.Dfc, TwoPhaseStrong());
        Assert.Empty(DfcSpecValidator.Validate(config.Dfc!, RuleKind.Dfc));
        using (var session = new DfcSession(config, TinyNetworks.Splits(data)))
        {
            foreach (var phase in new[] { session.Forward, session.Feedback!, session.Pretrain })
            {
                Assert.Equal(TargetKind.Label, phase.Target);
                Assert.True(phase.SoftmaxError, $"{phase.Phase}: softmax error");
                Assert.False(phase.HighPassControl, $"{phase.Phase}: the two-phase Q rule pairs with the unfiltered control");
            }
            Assert.Equal(ForwardVariant.SteadyState, session.Forward.ForwardVariant);
            Assert.Equal(NoiseKind.White, session.Feedback!.Noise);
        }
        using (var weak = new DfcSession(Config(RuleKind.Dfc, TwoPhaseStrong(strong: null)), TinyNetworks.Splits(data)))
        {
            Assert.Equal(TargetKind.Nudged, weak.Forward.Target);
            Assert.Equal(TargetKind.Feedforward, weak.Feedback!.Target);
            Assert.False(weak.Forward.SoftmaxError);
        }

        var (first, last) = RunAndAssertLearning(config, data);
        var names = last.Extra.Select(kv => kv.Key).ToArray();
        Assert.Contains("h_angle_total", names); // the label target's diagnostics, not the nudged target's
        Assert.DoesNotContain("ssa_angle_total", names);
    }

    [Fact]
    public void FrozenFeedbackWeightsSkipEveryFeedbackEpoch()
    {
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(200, 10, 3, seed: 2));
        DfcSpec Spec(int pretrain, int extra)
        {
            var d = Dfc(strong: false);
            return new DfcSpec
            {
                Forward = d.Forward, Feedback = d.Feedback, TargetStepsize = d.TargetStepsize, TargetClassValue = d.TargetClassValue,
                FeedbackOptimizer = d.FeedbackOptimizer, PretrainOptimizer = d.PretrainOptimizer, ProbeBatchSize = d.ProbeBatchSize,
                InitFbEpochs = pretrain, ExtraFbEpochs = extra, FreezeFbWeights = true, FeedbackInit = FeedbackInitKind.WeightProduct,
            };
        }
        (DfcNetwork Net, List<string> Events) Train(DfcSpec spec)
        {
            var observer = new NullObserver();
            using var session = new DfcSession(Config(RuleKind.Dfc, spec, epochs: 2), splits);
            Assert.True(session.Run(observer, CancellationToken.None).Completed);
            var copy = DfcNetwork.FromConfig(Config(RuleKind.Dfc, spec, epochs: 2), 10);
            session.Engine.CopyParametersTo(copy);
            return (copy, observer.Events);
        }
        var (frozen, events) = Train(Spec(pretrain: 3, extra: 2));
        var (plain, _) = Train(Spec(pretrain: 0, extra: 0));
        Assert.DoesNotContain(events, e => e.StartsWith("feedback pre-training epoch", StringComparison.Ordinal));
        Assert.Contains(events, e => e.StartsWith("feedback weights frozen", StringComparison.Ordinal));
        for (int l = 0; l < frozen.Layers.Count; l++)
        {
            // the noise-free wake phase is all that trains: the same weights as a run configured without feedback epochs
            Assert.True(frozen.Layers[l].Weights.ReadOnlySpan.SequenceEqual(plain.Layers[l].Weights.ReadOnlySpan), $"layer {l + 1} W");
            Assert.True(frozen.Layers[l].FeedbackWeights.ReadOnlySpan.SequenceEqual(plain.Layers[l].FeedbackWeights.ReadOnlySpan), $"layer {l + 1} Q");
        }
    }

    [Fact]
    public void MetricsReportHowFarEachEpochMovedWAndQ()
    {
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(200, 10, 3, seed: 2));
        (List<EpochMetrics> Epochs, List<string> Events) Train(bool frozen)
        {
            var d = Dfc(strong: true);
            var spec = new DfcSpec
            {
                Forward = d.Forward, Feedback = d.Feedback, TargetClassValue = d.TargetClassValue, TauNoise = d.TauNoise, TauF = d.TauF,
                ScalingFbUpdates = d.ScalingFbUpdates, InitFbEpochs = d.InitFbEpochs, FeedbackOptimizer = d.FeedbackOptimizer,
                PretrainOptimizer = d.PretrainOptimizer, ProbeBatchSize = d.ProbeBatchSize, FreezeFbWeights = frozen,
            };
            var observer = new NullObserver();
            Assert.True(Experiment.Run(Config(RuleKind.StrongDfc, spec, epochs: 2), splits, observer, CancellationToken.None).Completed);
            return (observer.Epochs, observer.Events);
        }
        var (learning, events) = Train(frozen: false);
        Assert.Equal(1, learning[0].Epoch);
        // Strong-DFC learns W and Q from the same simulation, so both move in every training epoch
        foreach (var epoch in learning)
            for (int l = 1; l <= 2; l++)
            {
                Assert.InRange(Extra(epoch, $"w_change_l{l}"), 1e-6, 1);
                Assert.InRange(Extra(epoch, $"q_change_l{l}"), 1e-9, 1);
            }
        Assert.Contains(events, e => e.StartsWith("feedback pre-training changed Q by", StringComparison.Ordinal));

        var (frozen, frozenEvents) = Train(frozen: true);
        foreach (var epoch in frozen)
            for (int l = 1; l <= 2; l++)
            {
                Assert.Equal(0.0, Extra(epoch, $"q_change_l{l}"));
                Assert.InRange(Extra(epoch, $"w_change_l{l}"), 1e-6, 1);
            }
        Assert.DoesNotContain(frozenEvents, e => e.StartsWith("feedback pre-training changed", StringComparison.Ordinal));
    }

    [Fact]
    public void ProgressCoversEveryFeedbackEpochAndEndsAtTheRunsTotalWork()
    {
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(200, 10, 3, seed: 2));
        var d = Dfc(strong: false); // 2 pre-training epochs (T = 40), then per epoch a sleep (T = 40), a wake (T = 100) and an extra epoch
        var spec = new DfcSpec
        {
            Forward = d.Forward, Feedback = d.Feedback, TargetStepsize = d.TargetStepsize, TargetClassValue = d.TargetClassValue,
            FeedbackOptimizer = d.FeedbackOptimizer, PretrainOptimizer = d.PretrainOptimizer, ProbeBatchSize = d.ProbeBatchSize,
            InitFbEpochs = 2, ExtraFbEpochs = 1,
        };
        var observer = new ProgressLog();
        Assert.True(Experiment.Run(Config(RuleKind.Dfc, spec, epochs: 2), splits, observer, CancellationToken.None).Completed);

        int batches = observer.Progress[^1].Batches;
        double total = batches * (2 * 40 + 2 * (40 + 100 + 40));
        Assert.All(observer.Progress, p => Assert.Equal(total, p.TotalWork));
        Assert.Equal(total, observer.Progress[^1].Work);
        for (int i = 1; i < observer.Progress.Count; i++) Assert.True(observer.Progress[i].Work > observer.Progress[i - 1].Work);
        string[] stages = observer.Progress.Select(p => p.Stage ?? "training").Distinct().ToArray();
        Assert.Equal(["feedback pre-training 1/2", "feedback pre-training 2/2", "sleep phase, epoch 1/2", "training",
            "extra feedback 1/1, epoch 1/2", "sleep phase, epoch 2/2", "extra feedback 1/1, epoch 2/2"], stages);
        Assert.All(observer.Progress.Where(p => p.Stage is not null), p => Assert.True(double.IsNaN(p.Loss)));
    }

    private sealed class ProgressLog : IRunObserver
    {
        public List<BatchProgress> Progress { get; } = new();
        public void OnEvent(string message) { }
        public void OnBatch(in BatchProgress progress) => Progress.Add(progress);
        public void OnEpoch(EpochMetrics metrics) { }
    }

    [Fact]
    public void StrongFeedbackNeedsAReachableLabelAndCannotBeSwitchedOffForStrongDfc()
    {
        Assert.Contains(DfcSpecValidator.Validate(TwoPhaseStrong(classValue: 1), RuleKind.Dfc),
            p => p.Field == "dfc.targetClassValue" && p.Reason.Contains("never reaches 1"));
        Assert.DoesNotContain(DfcSpecValidator.Validate(TwoPhaseStrong(strong: null, classValue: 1), RuleKind.Dfc), p => p.Field == "dfc.targetClassValue");
        Assert.Contains(DfcSpecValidator.Validate(TwoPhaseStrong(strong: false), RuleKind.StrongDfc), p => p.Field == "dfc.strongFeedback");
        // Strong-DFC-only switches are refused on the two-phase rule instead of being ignored
        var d = TwoPhaseStrong();
        var single = new DfcSpec
        {
            Forward = d.Forward, Feedback = d.Feedback, TargetClassValue = d.TargetClassValue, StrongFeedback = true,
            PretrainWithoutController = true, ScalingFbUpdates = true,
        };
        var problems = DfcSpecValidator.Validate(single, RuleKind.Dfc).Select(p => p.Field).ToArray();
        Assert.Contains("dfc.pretrainWithoutController", problems);
        Assert.Contains("dfc.scalingFbUpdates", problems);
        Assert.DoesNotContain(DfcSpecValidator.Validate(single, RuleKind.StrongDfc), p => p.Field is "dfc.pretrainWithoutController" or "dfc.scalingFbUpdates");
        Assert.DoesNotContain(DfcSpecValidator.Validate(TwoPhaseStrong(strong: true), RuleKind.StrongDfc), p => p.Field == "dfc.strongFeedback");
    }

    [Theory]
    [InlineData(0, 0.3)]
    [InlineData(3, 0.0)]
    public void LearnsThroughJitteryLossyLinksAndReportsWhatTheyDid(int jitter, double loss)
    {
        var data = TinyNetworks.Classification(400, 10, 3, seed: 2);
        var c = Config(RuleKind.Dfc, Dfc(strong: false, TransmissionSchedule.Jacobi));
        var config = new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = c.Epochs, Rule = c.Rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = c.BatchSize, Optimizer = c.Optimizer, Dfc = c.Dfc,
            Evaluation = new EvaluationSpec { BatchSize = c.Evaluation.BatchSize, AtStart = true },
            Engine = new EngineSpec { Jitter = jitter, Loss = loss },
        };
        var (first, last) = RunAndAssertLearning(config, data);
        Assert.True(double.IsNaN(Extra(first, "link_loss_fraction")), "no simulation before training");
        // 100 steps per mini-batch, 4 inputs (2 layers' control and rates, the controller's output): thousands of draws
        Assert.InRange(Extra(last, "link_loss_fraction"), loss - 0.03, loss + 0.03);
        // staleness t − D − s of the value used: loss p alone gives a geometric p/(1 − p); uniform jitter J gives
        // Σ_k Π_{i<k} (J − i)/(J + 1) (1.22 for J = 3)
        double stale = Extra(last, "link_mean_staleness");
        if (jitter == 0) Assert.InRange(stale, 0.8 * loss / (1 - loss), 1.2 * loss / (1 - loss));
        else Assert.InRange(stale, 0.5, jitter);
        Assert.InRange(Extra(last, "link_max_staleness"), 1, 100);
    }

    /// <summary>Runs <paramref name="config"/> to completion; test accuracy must exceed 70 % and gain 15 points.</summary>
    private static (EpochMetrics First, EpochMetrics Last) RunAndAssertLearning(RunConfig config, Apical.Core.Data.Dataset data)
    {
        var observer = new NullObserver();
        var result = Experiment.Run(config, TinyNetworks.Splits(data), observer, CancellationToken.None);
        Assert.True(result.Completed);
        var (first, last) = (observer.Epochs[0], result.Last!);
        Assert.True(last.TestAccuracy > 0.7 && last.TestAccuracy > first.TestAccuracy + 0.15,
            $"test accuracy {first.TestAccuracy:P1} -> {last.TestAccuracy:P1}");
        return (first, last);
    }

    private static double Extra(EpochMetrics m, string name) => m.Extra.First(kv => kv.Key == name).Value;

    [Theory]
    [InlineData(RuleKind.Dfc)]
    [InlineData(RuleKind.StrongDfc)]
    public void MetricsReportTheForwardGradientNormAndHowOftenItWasClipped(RuleKind rule)
    {
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(200, 10, 3, seed: 2));
        EpochMetrics Epoch1(double clip)
        {
            var observer = new NullObserver();
            Assert.True(Experiment.Run(Config(rule, Dfc(rule == RuleKind.StrongDfc), epochs: 1, clipNorm: clip), splits, observer, CancellationToken.None).Completed);
            return observer.Epochs[^1];
        }
        var always = Epoch1(1e-12);
        var never = Epoch1(1e12);
        for (int l = 1; l <= 2; l++)
        {
            Assert.Equal(1.0, Extra(always, $"w_clipped_fraction_l{l}"));
            Assert.Equal(0.0, Extra(never, $"w_clipped_fraction_l{l}"));
            double norm = Extra(never, $"w_grad_norm_l{l}");
            Assert.True(norm > 0 && double.IsFinite(norm), $"layer {l}: mean ‖g_W‖ {norm}");
        }
    }

    [Fact]
    public void BadValuesNameTheirField()
    {
        var bad = new DfcSpec
        {
            Forward = new DfcSimulationSpec { Dt = 0.5, TauV = 0.2, Alpha = -1 },
            Feedback = new DfcSimulationSpec { TauFb = 0, Noise = NoiseKind.White, Sigma = 0 },
            TauNoise = 0.9, TauF = 0.5,
        };
        var problems = RunConfigValidator.Validate(Config(RuleKind.StrongDfc, bad)).Select(p => p.ToString()).ToArray();
        Assert.Contains(problems, p => p.StartsWith("dfc.forward.alpha: must be > 0, got -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("dfc.forward.dt: must be <= tauV", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("dfc.feedback.tauFb:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("dfc.tauNoise: must be <= tauF", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("dfc.targetClassValue:", StringComparison.Ordinal)); // c = 1 with a strong target
        Assert.Contains(problems, p => p.StartsWith("dfc.feedback.sigma:", StringComparison.Ordinal));
        var missing = Config(RuleKind.Dfc, Dfc(false));
        missing = new RunConfig { Name = "x", Data = missing.Data, Network = missing.Network, Rule = RuleKind.Dfc };
        Assert.Contains(RunConfigValidator.Validate(missing), p => p.Field == "dfc");
    }

    [Fact]
    public void ConditionTwoIsOneForTransposedJacobianTimesAnyMatrix()
    {
        var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: false);
        var oracle = new DfcOracle(net.Layers);
        var x = DfcTestNets.Normal(1, 20, 1f, 8);
        var (v, _) = oracle.Feedforward(x.Row(0));
        var j = oracle.Jacobian(v);
        var m = Matrix<double>.Build.Random(5, 5, new MathNet.Numerics.Distributions.Normal(0, 1, new Random(2)));
        Assert.Equal(1.0, DfcProbe.Condition2(j, j.Transpose() * m), 12);
        double random = DfcProbe.Condition2(j, oracle.StackedQ());
        Assert.InRange(random, 0.05, 0.95);
    }
}
