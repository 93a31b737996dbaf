using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>
/// A batch split into two row halves (<see cref="RowSplitSweep"/>) against the same batch simulated whole, for the DFC
/// wake and sleep phases and Strong-DFC's single phase (noise and Q learning on): every per-sample quantity has the
/// same bits (samples do not interact; each row draws its own noise), the gradients of W, b and Q agree up to the
/// float32 summation order, and the two threads give the same bits as the halves run in turn.
/// </summary>
public sealed class RowSplitSweepTests
{
    private static readonly int[] Sizes = { 24, 256, 128, 10 };

    private static (Tensor X, Tensor Labels) Batch(int rows, ulong seed)
    {
        var x = DfcTestNets.Normal(rows, Sizes[0], 1f, seed);
        var labels = new Tensor(rows, Sizes[^1]);
        for (int b = 0; b < rows; b++) labels[b, (b * 7 + (int)seed) % Sizes[^1]] = 1;
        return (x, labels);
    }

    private static PhaseConstants Wake(int steps = 120) =>
        DfcTestNets.Constants(steps: steps, alpha: 0.01, target: TargetKind.Nudged, softmax: true, lambda: 0.1, learnForward: true);

    /// <summary>Strong-DFC's single phase: label target, softmax error, low-pass noise, W and Q learned from the same run.</summary>
    private static PhaseConstants Strong(int steps = 120) =>
        DfcTestNets.Constants(steps: steps, alpha: 1e-3, target: TargetKind.Label, softmax: true, learnForward: true, learnFeedback: true,
            noise: NoiseKind.LowPass, sigma: 0.02, tauNoise: 0.1, highPass: true, highPassA: 0.04, phase: DfcPhase.Single);

    /// <summary>DFC's sleep phase: the controller holds the noise-free output against white apical noise; Q learns.</summary>
    private static PhaseConstants Sleep(int steps = 60) =>
        DfcTestNets.Constants(steps: steps, dt: 2e-3, tauV: 0.01, tauFb: 0.1, alpha: 0.3, kp: 0.1, target: TargetKind.Feedforward,
            learnFeedback: true, noise: NoiseKind.White, sigma: 0.05, phase: DfcPhase.Sleep);

    private static PhaseConstants PhaseOf(string name) => name switch
    {
        "wake" => Wake(),
        "strong" => Strong(),
        "sleep" => Sleep(),
        _ => throw new ArgumentException(name),
    };

    private static DfcNetwork Net(int batch) => DfcTestNets.Build(Sizes, linear: false, batch: batch, lr: 1e-2);

    [Theory]
    [InlineData(8, "wake")]
    [InlineData(7, "wake")] // halves of 3 and 4 rows
    [InlineData(8, "strong")]
    [InlineData(7, "strong")]
    [InlineData(7, "sleep")]
    public void SplitBatchMatchesTheWholeBatch(int rows, string phase)
    {
        var (x, labels) = Batch(rows, 11);
        var wake = PhaseOf(phase);

        var wholeNet = Net(rows);
        using var whole = new InProcessDfcEngine(wholeNet, rows, splitRows: false);
        var w = whole.Run(wake, x, labels, 0);

        var splitNet = Net(rows);
        using var split = new InProcessDfcEngine(splitNet, rows);
        var s = split.Run(wake, x, labels, 0);

        Assert.Equal(rows, s.Rows);
        Assert.Equal(whole.OutputMinus.Span.ToArray(), split.OutputMinus.Span.ToArray());
        for (int b = 0; b < rows; b++)
        {
            Assert.Equal(w.InitialError[b], s.InitialError[b]);
            Assert.Equal(w.FinalError[b], s.FinalError[b]);
            Assert.Equal(w.Converged[b], s.Converged[b]);
        }
        for (int l = 0; l < Sizes.Length - 1; l++)
        {
            Assert.Equal(w.ControlEffort[l], s.ControlEffort[l], 1e-9 * Math.Max(1, w.ControlEffort[l]));
            Assert.Equal(w.FeedbackRatio[l], s.FeedbackRatio[l], 1e-9);
            if (wake.LearnForward)
            {
                AssertClose(wholeNet.Layers[l].WeightGradient, splitNet.Layers[l].WeightGradient, $"g_W of layer {l + 1}");
                AssertClose(wholeNet.Layers[l].BiasGradient, splitNet.Layers[l].BiasGradient, $"g_b of layer {l + 1}");
            }
            if (wake.LearnFeedback)
                AssertClose(wholeNet.Layers[l].FeedbackGradient, splitNet.Layers[l].FeedbackGradient, $"g_Q of layer {l + 1}");
        }
    }

    [Theory]
    [InlineData("wake")]
    [InlineData("strong")]
    public void TwoThreadsGiveTheBitsOfTheHalvesInTurn(string phase)
    {
        float[][] Train(bool parallel)
        {
            var net = Net(8);
            using var sim = new DfcSimulator(net, 8);
            var split = new RowSplitSweep(sim, 8, parallel);
            var stats = new DfcBatchStats(8, new[] { 256, 128, 10 });
            var wake = PhaseOf(phase);
            for (int i = 0; i < 3; i++)
            {
                var (x, labels) = Batch(8, (ulong)(20 + i));
                split.Run(wake, x, labels, i, stats);
            }
            return net.Layers.SelectMany(l => new[] { l.Weights.Span.ToArray(), l.Bias.Span.ToArray(), l.FeedbackWeights.Span.ToArray() }).ToArray();
        }
        var parallel = Train(parallel: true);
        var inTurn = Train(parallel: false);
        for (int i = 0; i < parallel.Length; i++) Assert.Equal(inTurn[i], parallel[i]);
    }

    [Fact]
    public void SweepPhasesAreSplitJacobiIsNot()
    {
        var net = Net(8);
        using var sim = new DfcSimulator(net, 8);
        var split = new RowSplitSweep(sim, 8, parallel: false);
        Assert.True(split.Applies(Wake(), 8));
        Assert.False(split.Applies(Wake(), 1));
        Assert.False(split.Applies(Wake(), 9)); // beyond the split's capacity
        Assert.False(split.Applies(DfcTestNets.Constants(learnForward: true, schedule: TransmissionSchedule.Jacobi), 8));
        Assert.True(split.Applies(Sleep(), 8));
        Assert.True(split.Applies(Strong(), 8));
        Assert.False(split.Applies(DfcTestNets.Constants(), 8)); // nothing learns: nothing to split for
        var (x, labels) = Batch(8, 1);
        var e = Assert.Throws<ArgumentException>(() =>
            split.Run(DfcTestNets.Constants(learnForward: true, schedule: TransmissionSchedule.Jacobi), x, labels, 0, new DfcBatchStats(8, new[] { 256, 128, 10 })));
        Assert.Contains("cannot be split", e.Message);
    }

    [Fact]
    public void PartnerSharesTheParametersAndStepsNothing()
    {
        var net = Net(8);
        var partner = net.RowPartner(4);
        for (int l = 0; l < net.Layers.Count; l++)
        {
            Assert.Same(net.Layers[l].Weights, partner.Layers[l].Weights);
            Assert.Same(net.Layers[l].FeedbackWeights, partner.Layers[l].FeedbackWeights);
        }
        using var sim = new DfcSimulator(net, 8);
        var before = net.Layers[1].Weights.Span.ToArray();
        var split = new RowSplitSweep(sim, 8, parallel: false);
        var (x, labels) = Batch(8, 5);
        split.Run(Wake(), x, labels, 0, new DfcBatchStats(8, new[] { 256, 128, 10 }));
        Assert.NotEqual(before, net.Layers[1].Weights.Span.ToArray()); // one step was taken, on the shared tensors

        // the partner itself may simulate and form gradients but never step the shared tensors
        using var partnerSim = new DfcSimulator(partner, 4);
        var (x4, labels4) = Batch(4, 6);
        var after = net.Layers[1].Weights.Span.ToArray();
        partnerSim.Run(Wake(), x4, labels4, 1, apply: false);
        var e = Assert.Throws<InvalidOperationException>(() => partnerSim.Run(Wake(), x4, labels4, 2, apply: true));
        Assert.Contains("only that layer steps them", e.Message);
        Assert.Equal(after, net.Layers[1].Weights.Span.ToArray());
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double diff = 0, norm = 0;
        var e = expected.ReadOnlySpan;
        var a = actual.ReadOnlySpan;
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++) { diff += (double)(e[i] - a[i]) * (e[i] - a[i]); norm += (double)e[i] * e[i]; }
        Assert.True(norm > 0, $"{what} is zero: nothing learned");
        Assert.True(Math.Sqrt(diff / norm) < 1e-5, $"{what}: relative difference {Math.Sqrt(diff / norm):E2} between the split and the whole batch");
    }
}
