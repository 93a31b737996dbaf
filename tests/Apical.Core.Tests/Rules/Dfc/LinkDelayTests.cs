using System.Runtime.InteropServices;
using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>The Jacobi schedule with a transmission delay of D steps on every link (<c>engine.delay</c>): at firing k
/// every node reads its neighbours' states k + 1 − D, and state 0 (the settled rates, u = 0) while that is negative.</summary>
public sealed class LinkDelayTests
{
    private static readonly int[] Sizes = { 6, 7, 5, 3 };
    private const int Rows = 4;

    private static PhaseConstants Phase(int delay, bool sleep) => sleep
        ? DfcTestNets.Constants(dt: 0.01, steps: 40, tauV: 0.05, alpha: 0.2, kp: 0.1, target: TargetKind.Feedforward, learnFeedback: true,
            schedule: TransmissionSchedule.Jacobi, noise: NoiseKind.White, sigma: 0.05, tauFb: 0.2, phase: DfcPhase.Sleep, linkDelay: delay)
        : DfcTestNets.Constants(dt: 0.02, steps: 60, tauV: 0.2, alpha: 1e-2, kp: 2, target: TargetKind.Nudged, lambda: 0.1, learnForward: true,
            schedule: TransmissionSchedule.Jacobi, linkDelay: delay);

    private static DfcNetwork Net(int delay)
    {
        var o = DfcTestNets.Adam(1e-3);
        return DfcNetwork.Build(Sizes, Rows, 3, o, o, o, new[] { Activation.Tanh, Activation.Tanh, Activation.Linear }, linkDelay: delay);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void The_lockstep_engine_delivers_every_value_D_steps_late(int delay, bool sleep)
    {
        var c = Phase(delay, sleep);
        var x = DfcTestNets.Normal(Rows, Sizes[0], 1f, 5);
        var y = DfcTestNets.Uniform(Rows, Sizes[^1], 6);

        var onEngine = Net(delay);
        using (var sim = new DfcSimulator(onEngine, Rows))
            for (int batch = 0; batch < 2; batch++) sim.Run(c, x, y, batchSerial: batch, apply: batch == 0);

        var direct = Net(delay);
        using (var sim = new DfcSimulator(direct, Rows)) sim.Run(c, x, y, batchSerial: 0, apply: true); // batch 0 as above (checked below)
        RunDelayedByHand(direct, c, x, y, delay, batchSerial: 1);

        for (int l = 0; l < Sizes.Length - 1; l++)
        {
            var (a, b) = (onEngine.Layers[l], direct.Layers[l]);
            Assert.Equal(Bits(b.Rates), Bits(a.Rates));
            Assert.Equal(Bits(b.WeightGradient), Bits(a.WeightGradient));
            Assert.Equal(Bits(b.FeedbackGradient), Bits(a.FeedbackGradient));
            Assert.Equal(Bits(b.Weights), Bits(a.Weights));
        }
        Assert.Equal(Bits(direct.Controller.Control), Bits(onEngine.Controller.Control));
        if (sleep) Assert.Contains(Bits(onEngine.Layers[0].FeedbackGradient), v => v != 0); // pairs were formed
        else Assert.Contains(Bits(onEngine.Layers[1].WeightGradient), v => v != 0);
    }

    [Fact]
    public void A_longer_delay_changes_the_trajectory()
    {
        var x = DfcTestNets.Normal(Rows, Sizes[0], 1f, 5);
        var y = DfcTestNets.Uniform(Rows, Sizes[^1], 6);
        var one = Net(1);
        var two = Net(2);
        using (var sim = new DfcSimulator(one, Rows)) sim.Run(Phase(1, false), x, y, 0, apply: false);
        using (var sim = new DfcSimulator(two, Rows)) sim.Run(Phase(2, false), x, y, 0, apply: false);
        Assert.NotEqual(Bits(one.Layers[1].WeightGradient), Bits(two.Layers[1].WeightGradient));
    }

    [Fact]
    public void The_feedback_rule_pairs_the_first_control_that_answered_the_noise()
    {
        // noise of layer l at state j reaches r_L at state j + D (L − l) and u at u[j + D (L − l + 1)], which a layer
        // reads at its firing j + D (L − l + 2) − 1
        var c = Phase(3, sleep: true);
        Assert.Equal(3 * (3 - 1 + 2) - 1, c.PairingDelay(1, 3));
        Assert.Equal(3 * (3 - 3 + 2) - 1, c.PairingDelay(3, 3));
        Assert.Equal(3 - 1 + 1, Phase(1, sleep: true).PairingDelay(1, 3)); // D = 1: L − l + 1, as before
    }

    [Fact]
    public void A_phase_whose_delay_differs_from_the_network_is_refused()
    {
        using var sim = new DfcSimulator(Net(2), Rows);
        var e = Assert.Throws<ArgumentException>(() => sim.Run(Phase(1, false), DfcTestNets.Normal(Rows, 6, 1f, 5), DfcTestNets.Uniform(Rows, 3, 6), 0));
        Assert.Contains("link delay", e.Message);
    }

    /// <summary>The delayed Jacobi schedule written out with explicit histories (the same node code, called directly).</summary>
    private static void RunDelayedByHand(DfcNetwork net, PhaseConstants c, Tensor x, Tensor y, int delay, long batchSerial)
    {
        var layers = net.Layers;
        var ctl = net.Controller;
        int L = layers.Count;
        var output = new DfcSimulator(net, Rows).Feedforward(x);
        var outputMinus = Copy(output);
        ctl.BeginBatch(c, outputMinus, y);
        foreach (var l in layers) l.BeginBatch(c, batchSerial);
        var rates = new List<Tensor>[L];
        for (int l = 0; l < L; l++) rates[l] = new List<Tensor> { Copy(layers[l].Rates) };
        var u = new List<Tensor> { new Tensor(Rows, Sizes[^1]) };
        for (int k = 0; k < c.Steps - 1; k++)
        {
            int src = Math.Max(0, k + 1 - delay);
            ctl.Step(rates[L - 1][src]);
            u.Add(Copy(ctl.Control));
            for (int l = 0; l < L; l++) layers[l].Advance(l == 0 ? null : rates[l - 1][src], u[src], k);
            for (int l = 0; l < L; l++) rates[l].Add(Copy(layers[l].Rates));
        }
        ctl.Finish(layers[^1].Rates);
        foreach (var l in layers) l.EndBatch(apply: false);
    }

    private static Tensor Copy(Tensor t)
    {
        var c = new Tensor(t.Rows, t.Cols);
        t.ReadOnlySpan.CopyTo(c.Span);
        return c;
    }

    private static int[] Bits(Tensor t) => MemoryMarshal.Cast<float, int>(t.ReadOnlySpan).ToArray();
}
