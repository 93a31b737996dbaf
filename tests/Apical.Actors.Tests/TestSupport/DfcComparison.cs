using System.Runtime.InteropServices;
using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Data;
using Apical.Core.Model;
using Apical.Core.Optimization;
using Apical.Core.Rules.Dfc;
using Apical.Tests.Shared;
using Xunit;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>
/// Check 15 of the DFC spec: a whole tiny DFC (feedback pre-training, sleep and wake epochs: 15 mini-batches) or
/// Strong-DFC run (pre-training and training with low-pass noise: 10 mini-batches), Jacobi schedule, in-process
/// (lockstep engine) and on the actor runtime, must give bit-identical W, b, Q and identical epoch metrics.
/// </summary>
internal static class DfcComparison
{
    public static DataSplits Splits() => EngineComparison.TinySplits();

    /// <param name="strongFeedback">With <see cref="RuleKind.Dfc"/>: Strong-DFC (2-phase), label target in both phases.</param>
    public static RunConfig Config(RuleKind rule, TransmissionSchedule schedule = TransmissionSchedule.Jacobi, int delay = 1, int jitter = 0, double loss = 0,
        bool strongFeedback = false)
    {
        var adam = new OptimizerSpec { LearningRate = 1e-2, Beta1 = 0.9, Beta2 = 0.99, ClipNorm = 1 };
        var c = TinyNetworks.Config(rule, new[] { 6, 8, 5, 3 }, adam, batchSize: 16, epochs: 1);
        var fbAdam = new OptimizerSpec { LearningRate = 2e-3, Beta1 = 0.99, Beta2 = 0.99, WeightDecay = 0.025, ClipNorm = 1 };
        var dfc = rule == RuleKind.StrongDfc
            ? new DfcSpec
            {
                Forward = new DfcSimulationSpec { Dt = 0.01, Steps = 40, TauV = 0.05, Alpha = 1e-3, Kp = 2, Noise = NoiseKind.LowPass, Sigma = 0.01, SigmaOut = 0.02, Schedule = schedule },
                Feedback = new DfcSimulationSpec { Dt = 0.01, Steps = 30, TauV = 0.05, Alpha = 0.05, Kp = 0.1, Noise = NoiseKind.LowPass, Sigma = 0.01, Schedule = schedule },
                TargetClassValue = 0.9, TauNoise = 0.05, TauF = 0.5, ScalingFbUpdates = true, InitFbEpochs = 1,
                FeedbackOptimizer = fbAdam, PretrainOptimizer = fbAdam, ProbeBatchSize = 8,
            }
            : new DfcSpec
            {
                Forward = new DfcSimulationSpec { Dt = 0.02, Steps = 40, TauV = 0.2, Alpha = 1e-2, Kp = 2, Schedule = schedule },
                Feedback = new DfcSimulationSpec { Dt = 2e-3, Steps = 20, TauV = 0.01, TauFb = 0.3, Alpha = 0.25, Kp = 0.1, Noise = NoiseKind.White, Sigma = 0.01, Schedule = schedule },
                TargetStepsize = 0.1, InitFbEpochs = 1, FeedbackOptimizer = fbAdam, PretrainOptimizer = fbAdam, ProbeBatchSize = 8,
                StrongFeedback = strongFeedback ? true : null, TargetClassValue = strongFeedback ? 0.9 : 1,
                ForwardVariant = strongFeedback ? ForwardVariant.SteadyState : ForwardVariant.Continuous,
            };
        return new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = c.Epochs, Rule = rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = c.BatchSize, Optimizer = c.Optimizer, Engine = new EngineSpec { Delay = delay, Jitter = jitter, Loss = loss },
            Evaluation = new EvaluationSpec { BatchSize = 10, AtStart = true, Validation = true, Test = true },
            Dfc = dfc,
        };
    }

    public static void AssertSameAsInProcess(ActorSystem system, ILayerHost host, RuleKind rule, ActorRunOptions? options = null, int delay = 1,
        int jitter = 0, double loss = 0, bool strongFeedback = false)
    {
        var config = Config(rule, delay: delay, jitter: jitter, loss: loss, strongFeedback: strongFeedback);
        var data = Splits();
        Assert.Empty(DfcSpecValidator.Validate(config.Dfc!, rule));

        var expectedObserver = new RecordingObserver();
        using var expected = new DfcSession(config, data);
        Assert.True(expected.Run(expectedObserver, default).Completed);

        var actualObserver = new RecordingObserver();
        using var actual = DfcActorTrainer.CreateSession(system, host, config, data, options);
        Assert.IsType<DfcActorEngine>(actual.Engine);
        Assert.True(actual.Run(actualObserver, default).Completed);

        var initial = DfcNetwork.FromConfig(config, 6);
        var got = DfcNetwork.FromConfig(config, 6);
        actual.Engine.CopyParametersTo(got);
        bool wChanged = false, qChanged = false;
        for (int l = 0; l < initial.Layers.Count; l++)
        {
            var (want, mine, init) = (expected.Network.Layers[l], got.Layers[l], initial.Layers[l]);
            SameBits(want.Weights, mine.Weights, $"{want.Name}.W");
            SameBits(want.Bias, mine.Bias, $"{want.Name}.b");
            SameBits(want.FeedbackWeights, mine.FeedbackWeights, $"{want.Name}.Q");
            wChanged |= !want.Weights.ReadOnlySpan.SequenceEqual(init.Weights.ReadOnlySpan);
            qChanged |= !want.FeedbackWeights.ReadOnlySpan.SequenceEqual(init.FeedbackWeights.ReadOnlySpan);
        }
        Assert.True(wChanged, "training did not change W: the comparison proves nothing");
        Assert.True(qChanged, "training did not change Q: the comparison proves nothing");

        Assert.Equal(config.Epochs + 1, expectedObserver.Epochs.Count);
        Assert.Equal(expectedObserver.Epochs.Count, actualObserver.Epochs.Count);
        for (int e = 0; e < expectedObserver.Epochs.Count; e++)
            EngineComparison.AssertSameMetrics(expectedObserver.Epochs[e], actualObserver.Epochs[e]);
        Assert.Contains(actualObserver.Epochs[^1].Extra, kv => kv.Key == "converged_fraction" && !double.IsNaN(kv.Value));
        if (jitter > 0 || loss > 0)
            Assert.Contains(actualObserver.Epochs[^1].Extra, kv => kv.Key == "link_mean_staleness" && kv.Value > 0);
        else
            Assert.DoesNotContain(actualObserver.Epochs[^1].Extra, kv => kv.Key.StartsWith("link_", StringComparison.Ordinal));
        Assert.Equal(expectedObserver.Batches, actualObserver.Batches);
    }

    private static void SameBits(Core.Numerics.Tensor want, Core.Numerics.Tensor got, string what)
    {
        Assert.Equal(want.Rows, got.Rows);
        Assert.Equal(want.Cols, got.Cols);
        var a = MemoryMarshal.Cast<float, int>(want.ReadOnlySpan);
        var b = MemoryMarshal.Cast<float, int>(got.ReadOnlySpan);
        for (int k = 0; k < a.Length; k++)
            if (a[k] != b[k]) Assert.Fail($"{what}[{k}]: actors {got.Data[k]:R} vs in-process {want.Data[k]:R}");
    }
}
