using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Dfc;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>Spec check 8: sleep-phase feedback learning drives Q towards the row space of J (condition 2).</summary>
public class SleepPhaseTests
{
    private static (double C2, double AngleToJt) Measure(DfcNetwork net, Tensor inputs, int samples)
    {
        var oracle = new DfcOracle(net.Layers);
        var q = oracle.StackedQ();
        double c2 = 0, angle = 0;
        for (int s = 0; s < samples; s++)
        {
            var (v, _) = oracle.Feedforward(inputs.Row(s));
            var j = oracle.Jacobian(v);
            c2 += DfcProbe.Condition2(j, q);
            angle += DfcOracle.Angle(q, j.Transpose());
        }
        return (c2 / samples, angle / samples);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SleepPhaseRaisesConditionTwo(bool linear)
    {
        // Toy sleep constants of spec 15.3: α 0.25, k_p 0.1, dt 2e-3, T 50, τ_v 0.01, τ_fb 0.3, σ 0.01, wd 0.025.
        const int batch = 50, samples = 1000, epochs = 25;
        var fb = new OptimizerSpec { Type = OptimizerKind.Adam, LearningRate = 2e-3, Beta1 = 0.99, Beta2 = 0.99, Epsilon = 1e-8, WeightDecay = 0.025 };
        var net = DfcTestNets.Build(new[] { 20, 10, 5 }, linear, batch: batch, seed: 5, feedback: fb);
        var data = DfcTestNets.Uniform(samples, 20, 21);
        var c = DfcTestNets.Constants(dt: 2e-3, steps: 50, tauV: 0.01, alpha: 0.25, kp: 0.1, target: TargetKind.Feedforward,
            learnFeedback: true, noise: NoiseKind.White, sigma: 0.01, tauFb: 0.3, phase: DfcPhase.Sleep);
        var (c2Before, angleBefore) = Measure(net, data, 100);
        using var sim = new DfcSimulator(net, batch);
        var x = new Tensor(batch, 20);
        var dummy = new Tensor(batch, 5);
        long serial = 0;
        for (int e = 0; e < epochs; e++)
            for (int b = 0; b < samples / batch; b++)
            {
                data.Data.AsSpan(b * batch * 20, batch * 20).CopyTo(x.Span);
                sim.Run(c, x, dummy, serial++);
            }
        var (c2After, angleAfter) = Measure(net, data, 100);
        Assert.True(c2After > c2Before, $"condition 2: {c2Before:F3} -> {c2After:F3}");
        Assert.True(angleAfter < angleBefore, $"angle(Q, Jᵀ): {angleBefore:F1}° -> {angleAfter:F1}°");
        if (linear) Assert.True(1 - c2After <= 0.5 * (1 - c2Before), $"1 − c2: {1 - c2Before:F3} -> {1 - c2After:F3}");
    }
}
