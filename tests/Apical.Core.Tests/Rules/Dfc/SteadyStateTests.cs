using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>Spec checks 3, 5 and 6: the simulated steady state against the analytical one, and its limits.</summary>
public class SteadyStateTests
{
    // δ_L = 0.1·N(0, Id) rather than the spec's 1e-3: the network is linear, so the closed form is exact for any δ,
    // and Δv = v − v^ff of a float32 soma with |v| ~ 1 carries an absolute rounding error ~1e-7.
    private const float DeltaStd = 0.1f;

    private static (DfcNetwork Net, DfcOracle Oracle, Tensor X, Matrix<double> J) Linear(int[] sizes, int batch, ulong seed = 3)
    {
        var net = DfcTestNets.Build(sizes, linear: true, batch: batch, seed: seed);
        var oracle = new DfcOracle(net.Layers);
        var x = DfcTestNets.Normal(batch, sizes[0], 1f, 11);
        var (v, _) = oracle.Feedforward(x.Row(0));
        return (net, oracle, x, oracle.Jacobian(v));
    }

    /// <summary>Runs one batch towards r^- + δ and returns the worst relative Δv error against the oracle.</summary>
    private static double RelativeError(DfcNetwork net, DfcOracle oracle, Tensor x, Tensor delta, PhaseConstants c,
        Func<int, Vector<double>>? reference = null)
    {
        using var sim = new DfcSimulator(net, x.Rows);
        var rMinus = sim.Feedforward(x).Clone();
        var target = DfcTestNets.Shifted(rMinus, delta);
        sim.Run(c, x, target, batchSerial: 0, apply: false);
        double worst = 0;
        for (int b = 0; b < x.Rows; b++)
        {
            var (v, _) = oracle.Feedforward(x.Row(b));
            var j = oracle.Jacobian(v);
            var want = reference?.Invoke(b) ?? oracle.SteadyState(j, DfcOracle.RowVector(delta, b), c.Alpha).DeltaV;
            var got = DfcTestNets.DeltaV(net, b);
            worst = Math.Max(worst, (got - want).L2Norm() / want.L2Norm());
        }
        return worst;
    }

    [Fact]
    public void LinearNetworkWithTransposedJacobianMatchesClosedForm()
    {
        var (net, oracle, x, j) = Linear(new[] { 20, 10, 10, 5 }, 8);
        DfcTestNets.SetQ(net, j.Transpose(), oracle);
        var delta = DfcTestNets.Normal(8, 5, DeltaStd, 5);
        double err = RelativeError(net, oracle, x, delta, DfcTestNets.Constants(alpha: 1e-3));
        Assert.True(err < 1e-3, $"relative Δv error {err:E3} (reference 1.3e-4)");
    }

    [Fact]
    public void LinearNetworkWithRandomFeedbackMatchesClosedForm()
    {
        // Xavier Q at seed 2: J Q has eigenvalues with positive real parts (the loop is stable; seed 3 is not).
        var (net, oracle, x, j) = Linear(new[] { 20, 10, 10, 5 }, 8, seed: 2);
        double minRe = double.MaxValue;
        foreach (var e in (j * oracle.StackedQ()).Evd().EigenValues) minRe = Math.Min(minRe, e.Real);
        Assert.True(minRe > 0, $"precondition: stable loop, min Re λ(JQ) = {minRe}");
        var delta = DfcTestNets.Normal(8, 5, DeltaStd, 5);
        double err = RelativeError(net, oracle, x, delta, DfcTestNets.Constants(alpha: 1e-3));
        Assert.True(err < 2e-2, $"relative Δv error {err:E3} (reference 7.2e-3)");
    }

    [Fact]
    public void SmallLeakGivesTheGaussNewtonUpdate()
    {
        var (net, oracle, x, j) = Linear(new[] { 5, 10, 10, 3 }, 4);
        var m = Matrix<double>.Build.Random(3, 3, new MathNet.Numerics.Distributions.Normal(0, 1, new Random(4)))
            + Matrix<double>.Build.DenseIdentity(3) * 2;
        DfcTestNets.SetQ(net, j.Transpose() * m, oracle);
        var delta = DfcTestNets.Normal(4, 3, 1e-1f, 6);
        var pinv = j.PseudoInverse();
        double Err(double alpha, int steps) => RelativeError(net, oracle, x, delta, DfcTestNets.Constants(alpha: alpha, steps: steps),
            b => pinv * DfcOracle.RowVector(delta, b));
        double small = Err(1e-6, 3000);
        double large = Err(1e-3, 3000);
        Assert.True(small < 1e-3, $"‖Δv − J⁺δ‖/‖J⁺δ‖ = {small:E3} at α = 1e-6");
        Assert.True(large / small > 10, $"the error should shrink with α: {large:E3} at 1e-3, {small:E3} at 1e-6");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LargeLeakGivesTheBackpropagatedGradient(bool linear)
    {
        int[] sizes = { 20, 10, 10, 5 };
        int batch = linear ? 8 : 1; // Q = Jᵀ of the one sample when J depends on the input
        var net = DfcTestNets.Build(sizes, linear, batch: batch);
        var oracle = new DfcOracle(net.Layers);
        var x = DfcTestNets.Normal(batch, 20, 1f, 12);
        var (v, _) = oracle.Feedforward(x.Row(0));
        var j = oracle.Jacobian(v);
        DfcTestNets.SetQ(net, j.Transpose(), oracle);
        double lmax = (j * j.Transpose()).Evd().EigenValues.Real().Maximum();
        var labels = new Tensor(batch, 5);
        for (int b = 0; b < batch; b++) labels[b, b % 5] = 1;
        // λ = 1 (not 1e-3): with α = 100 λ_max the voltage change is ~ λ/α, below float32 resolution of v for λ = 1e-3.
        // dt·α must stay below 1 for the explicit Euler controller: dt = 1e-3 instead of 0.02.
        var c = DfcTestNets.Constants(dt: 1e-3, alpha: 100 * lmax, steps: 3000, target: TargetKind.Nudged, lambda: 1, learnForward: true,
            rule: ForwardRuleKind.VoltageDifference, variant: ForwardVariant.SteadyState);
        using var sim = new DfcSimulator(net, batch);
        sim.Run(c, x, labels, 0, apply: false);
        var (bp, _) = oracle.BackpropGradients(x, labels);
        for (int l = 0; l < 3; l++)
        {
            double angle = DfcOracle.Angle(net.Layers[l].WeightGradient, bp[l]);
            if (double.IsNaN(angle)) Assert.Fail($"layer {l + 1}: |g| = {Ops.L2Norm(net.Layers[l].WeightGradient.ReadOnlySpan)}, |bp| = {bp[l].FrobeniusNorm()}, α = {c.Alpha}, Δv0 = {DfcTestNets.DeltaV(net, 0).L2Norm()}");
            Assert.True(angle < (linear ? 2 : 5), $"layer {l + 1}: angle to BP {angle:F2}°");
        }
    }
}
