using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.Rules.Dfc;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Apical.Core.Tests.Rules.StrongDfc;

/// <summary>
/// The oracle gradient of the Strong-DFC surrogate H = ‖Q u_ss‖² (spec 10, used by the H angle of spec 14 and
/// check 18) against central finite differences of H(W) = mean_b ‖Q (J₀ Q + α Id)^{-1} (y_b − r_L^-(W))‖², with J₀
/// held at its value for the unperturbed weights (the spec's gradient ignores J's own dependence on W).
/// </summary>
public sealed class ControlEffortGradientTests
{
    [Fact]
    public void Oracle_H_gradient_matches_finite_differences()
    {
        var net = DfcTestNets.Build(new[] { 5, 4, 4, 3 }, linear: false, batch: 3, seed: 7);
        var x = DfcTestNets.Normal(3, 5, 1f, 5);
        var y = DfcTestNets.Uniform(3, 3, 6);
        const double alpha = 0.05;
        var oracle = new DfcOracle(net.Layers);
        var q = oracle.StackedQ();
        var id = Matrix<double>.Build.DenseIdentity(3);
        var jacobians = new Matrix<double>[3];
        var us = new Vector<double>[3];
        for (int b = 0; b < 3; b++)
        {
            var (v, r) = oracle.Feedforward(x.Row(b));
            jacobians[b] = oracle.Jacobian(v);
            us[b] = (jacobians[b] * q + id * alpha).Solve(DfcOracle.RowVector(y, b) - r[^1]);
        }
        var (grad, h) = oracle.ControlEffortGradient(x, us, alpha);
        Assert.Equal(H(net, x, y, jacobians, q, alpha), h, 12);

        for (int l = 0; l < net.Layers.Count; l++)
        {
            var w = net.Layers[l].Weights;
            var fd = Matrix<double>.Build.Dense(w.Rows, w.Cols);
            for (int i = 0; i < w.Rows; i++)
                for (int k = 0; k < w.Cols; k++)
                {
                    const float eps = 1e-2f;
                    float keep = w[i, k];
                    w[i, k] = keep + eps;
                    double plus = H(net, x, y, jacobians, q, alpha);
                    w[i, k] = keep - eps;
                    double minus = H(net, x, y, jacobians, q, alpha);
                    w[i, k] = keep;
                    fd[i, k] = (plus - minus) / (2 * eps);
                }
            Assert.True(fd.FrobeniusNorm() > 1e-6, $"layer {l + 1}: H does not depend on W; the check would be vacuous");
            double rel = (grad[l] - fd).FrobeniusNorm() / fd.FrobeniusNorm();
            Assert.True(rel < 1e-3, $"layer {l + 1}: oracle ∂H/∂W differs from finite differences by {rel:e2} relative");
        }
    }

    /// <summary>H with J frozen at <paramref name="jacobians"/>, from the layers' current (float32) weights.</summary>
    private static double H(DfcNetwork net, Tensor x, Tensor y, Matrix<double>[] jacobians, Matrix<double> q, double alpha)
    {
        var oracle = new DfcOracle(net.Layers);
        var id = Matrix<double>.Build.DenseIdentity(q.ColumnCount);
        double sum = 0;
        for (int b = 0; b < x.Rows; b++)
        {
            var (_, r) = oracle.Feedforward(x.Row(b));
            var u = (jacobians[b] * q + id * alpha).Solve(DfcOracle.RowVector(y, b) - r[^1]);
            var qu = q * u;
            sum += qu.DotProduct(qu);
        }
        return sum / x.Rows;
    }
}
