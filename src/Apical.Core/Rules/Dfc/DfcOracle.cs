using Apical.Core.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// Dense float64 oracles of spec sections 6 and 14, computed outside the layers from a snapshot of their
/// weights: feedforward values, the Jacobian J = ∂r_L/∂v (n_L × N per sample), the analytical steady state,
/// condition 2, the back-propagated gradient and the Gauss–Newton target. Slow (MathNet); diagnostics only.
/// </summary>
public sealed class DfcOracle
{
    private readonly Matrix<double>[] _w;
    private readonly Vector<double>[] _b;
    private readonly Matrix<double>[] _q;
    private readonly Activation[] _act;
    private readonly int[] _offsets;

    public DfcOracle(IReadOnlyList<DfcLayer> layers)
    {
        int L = layers.Count;
        _w = new Matrix<double>[L];
        _b = new Vector<double>[L];
        _q = new Matrix<double>[L];
        _act = new Activation[L];
        _offsets = new int[L + 1];
        for (int l = 0; l < L; l++)
        {
            _w[l] = ToMatrix(layers[l].Weights);
            _b[l] = Vector<double>.Build.Dense(layers[l].Bias.Cols, j => layers[l].Bias[0, j]);
            _q[l] = ToMatrix(layers[l].FeedbackWeights);
            _act[l] = layers[l].Options.Activation;
            _offsets[l + 1] = _offsets[l] + layers[l].Options.OutSize;
        }
    }

    public int Layers => _w.Length;
    /// <summary>N = Σ n_l.</summary>
    public int TotalSize => _offsets[^1];
    public int OutputSize => _w[^1].RowCount;

    /// <summary>Stacked Q (N × n_L).</summary>
    public Matrix<double> StackedQ()
    {
        var q = Matrix<double>.Build.Dense(TotalSize, OutputSize);
        for (int l = 0; l < Layers; l++) q.SetSubMatrix(_offsets[l], 0, _q[l]);
        return q;
    }

    /// <summary>Replaces Q_l by the blocks of <paramref name="stacked"/> in the oracle only.</summary>
    public void SetStackedQ(Matrix<double> stacked)
    {
        for (int l = 0; l < Layers; l++) _q[l] = stacked.SubMatrix(_offsets[l], _w[l].RowCount, 0, OutputSize);
    }

    public int Offset(int layer) => _offsets[layer];

    /// <summary>Feedforward potentials v_l^- and rates r_l^- (index 0 = input) of one sample.</summary>
    public (Vector<double>[] V, Vector<double>[] R) Feedforward(ReadOnlySpan<float> x)
    {
        int L = Layers;
        var v = new Vector<double>[L];
        var r = new Vector<double>[L + 1];
        r[0] = Vector<double>.Build.Dense(x.Length);
        for (int i = 0; i < x.Length; i++) r[0][i] = x[i];
        for (int l = 0; l < L; l++)
        {
            v[l] = _w[l] * r[l] + _b[l];
            r[l + 1] = v[l].Map(a => Phi(_act[l], a));
        }
        return (v, r);
    }

    /// <summary>Propagates potentials with extra voltage changes Δv (the steady state of section 6).</summary>
    public Vector<double> OutputWithShift(ReadOnlySpan<float> x, Vector<double> deltaV)
    {
        var r = Vector<double>.Build.Dense(x.Length);
        for (int i = 0; i < x.Length; i++) r[i] = x[i];
        for (int l = 0; l < Layers; l++)
        {
            var v = _w[l] * r + _b[l] + deltaV.SubVector(_offsets[l], _w[l].RowCount);
            r = v.Map(a => Phi(_act[l], a));
        }
        return r;
    }

    /// <summary>J = ∂r_L/∂v at the feedforward point (n_L × N).</summary>
    public Matrix<double> Jacobian(Vector<double>[] v)
    {
        int L = Layers;
        var j = Matrix<double>.Build.Dense(OutputSize, TotalSize);
        Matrix<double> block = Matrix<double>.Build.DenseDiagonal(OutputSize, OutputSize, 1.0);
        block = block * Matrix<double>.Build.DenseOfDiagonalVector(v[L - 1].Map(a => PhiPrime(_act[L - 1], a)));
        j.SetSubMatrix(0, _offsets[L - 1], block);
        for (int l = L - 2; l >= 0; l--)
        {
            block = block * _w[l + 1];
            var d = v[l].Map(a => PhiPrime(_act[l], a));
            for (int c = 0; c < block.ColumnCount; c++) block.SetColumn(c, block.Column(c) * d[c]);
            j.SetSubMatrix(0, _offsets[l], block);
        }
        return j;
    }

    /// <summary>u_ss = (J Q + α Id)^{-1} δ and Δv_ss = Q u_ss.</summary>
    public (Vector<double> U, Vector<double> DeltaV) SteadyState(Matrix<double> j, Vector<double> delta, double alpha)
    {
        var q = StackedQ();
        var m = j * q + Matrix<double>.Build.DenseIdentity(OutputSize) * alpha;
        var u = m.Solve(delta);
        return (u, q * u);
    }

    /// <summary>Damped Gauss–Newton voltage change Jᵀ (J Jᵀ + γ Id)^{-1} δ.</summary>
    public static Vector<double> GaussNewton(Matrix<double> j, Vector<double> delta, double gamma)
    {
        var m = j * j.Transpose() + Matrix<double>.Build.DenseIdentity(j.RowCount) * gamma;
        return j.Transpose() * m.Solve(delta);
    }

    /// <summary>‖P Q‖_F / ‖Q‖_F with P the projector on the row space of J (condition 2).</summary>
    public static double Condition2(Matrix<double> j, Matrix<double> q)
    {
        var jt = j.Transpose();
        var p = jt * (j * jt).Inverse() * j;
        return (p * q).FrobeniusNorm() / q.FrobeniusNorm();
    }

    /// <summary>∂(batch-mean softmax cross-entropy)/∂W_l and ∂/∂b_l by back-propagation in float64.</summary>
    public (Matrix<double>[] W, Vector<double>[] B) BackpropGradients(Tensor x, Tensor y)
    {
        int L = Layers, rows = x.Rows;
        var gw = new Matrix<double>[L];
        var gb = new Vector<double>[L];
        for (int l = 0; l < L; l++) { gw[l] = Matrix<double>.Build.Dense(_w[l].RowCount, _w[l].ColumnCount); gb[l] = Vector<double>.Build.Dense(_w[l].RowCount); }
        for (int s = 0; s < rows; s++)
        {
            var (v, r) = Feedforward(x.Row(s));
            var p = Softmax(r[L]);
            var delta = p - RowVector(y, s);
            for (int l = L - 1; l >= 0; l--)
            {
                var dv = delta.PointwiseMultiply(v[l].Map(a => PhiPrime(_act[l], a)));
                gw[l] += dv.OuterProduct(r[l]) / rows;
                gb[l] += dv / rows;
                if (l > 0) delta = _w[l].TransposeThisAndMultiply(dv);
            }
        }
        return (gw, gb);
    }

    /// <summary>
    /// Steady-state forward update −(2/B) Σ_b s_l r_{l−1}ᵀ for given per-sample voltage changes (N each), with the
    /// teaching signal of <paramref name="rule"/> evaluated at the feedforward rates.
    /// </summary>
    public Matrix<double>[] SteadyStateUpdate(Tensor x, IReadOnlyList<Vector<double>> deltaV, ForwardRuleKind rule)
    {
        int L = Layers, rows = x.Rows;
        var g = new Matrix<double>[L];
        for (int l = 0; l < L; l++) g[l] = Matrix<double>.Build.Dense(_w[l].RowCount, _w[l].ColumnCount);
        for (int s = 0; s < rows; s++)
        {
            var (v, r) = Feedforward(x.Row(s));
            for (int l = 0; l < L; l++)
            {
                var dv = deltaV[s].SubVector(_offsets[l], _w[l].RowCount);
                var sig = rule == ForwardRuleKind.VoltageDifference
                    ? dv
                    : (v[l] + dv).Map(a => Phi(_act[l], a)) - v[l].Map(a => Phi(_act[l], a));
                g[l] -= sig.OuterProduct(r[l]) * (2.0 / rows);
            }
        }
        return g;
    }

    /// <summary>
    /// The oracle gradient of the Strong-DFC surrogate H = ‖Q u‖² (spec 10, 14) for given per-sample controls
    /// <paramref name="u"/>: per layer ∂H/∂W_l = −(2/B) Σ_b h_l r_{l−1}ᵀ with h = Jᵀ (J Q + α Id)^{−ᵀ} Qᵀ Q u (J at the
    /// feedforward point, its own dependence on W ignored, as in the spec), and H itself, mean_b ‖Q u_b‖².
    /// </summary>
    public (Matrix<double>[] Gradient, double H) ControlEffortGradient(Tensor x, IReadOnlyList<Vector<double>> u, double alpha)
    {
        int L = Layers, rows = x.Rows;
        var q = StackedQ();
        var id = Matrix<double>.Build.DenseIdentity(OutputSize);
        var g = new Matrix<double>[L];
        for (int l = 0; l < L; l++) g[l] = Matrix<double>.Build.Dense(_w[l].RowCount, _w[l].ColumnCount);
        double h2 = 0;
        for (int s = 0; s < rows; s++)
        {
            var (v, r) = Feedforward(x.Row(s));
            var j = Jacobian(v);
            var qu = q * u[s];
            h2 += qu.DotProduct(qu);
            var h = j.Transpose() * (j * q + id * alpha).Transpose().Solve(q.Transpose() * qu);
            for (int l = 0; l < L; l++)
                g[l] -= h.SubVector(_offsets[l], _w[l].RowCount).OuterProduct(r[l]) * (2.0 / rows);
        }
        return (g, h2 / rows);
    }

    /// <summary>angle(A, B) in degrees on flattened tensors.</summary>
    public static double Angle(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        if (aa == 0 || bb == 0) return double.NaN;
        return Math.Acos(Math.Clamp(ab / Math.Sqrt(aa * bb), -1, 1)) * 180 / Math.PI;
    }

    public static double Angle(Matrix<double> a, Matrix<double> b) =>
        Angle(a.AsColumnMajorArray() ?? a.ToColumnMajorArray(), b.AsColumnMajorArray() ?? b.ToColumnMajorArray());

    public static double Angle(Tensor a, Matrix<double> b)
    {
        var m = ToMatrix(a);
        return Angle(m, b);
    }

    public static Matrix<double> ToMatrix(Tensor t) => Matrix<double>.Build.Dense(t.Rows, t.Cols, (i, j) => t[i, j]);

    public static Vector<double> RowVector(Tensor t, int row)
    {
        var r = t.Row(row);
        var v = Vector<double>.Build.Dense(r.Length);
        for (int i = 0; i < r.Length; i++) v[i] = r[i];
        return v;
    }

    public static Vector<double> Softmax(Vector<double> x)
    {
        double max = x.Maximum();
        var e = x.Map(a => Math.Exp(a - max));
        return e / e.Sum();
    }

    private static double Phi(Activation f, double a) => f switch
    {
        Activation.Tanh => Math.Tanh(a),
        Activation.Relu => Math.Max(a, 0),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-a)),
        _ => a,
    };

    private static double PhiPrime(Activation f, double a) => f switch
    {
        Activation.Tanh => 1 - Math.Tanh(a) * Math.Tanh(a),
        Activation.Relu => a > 0 ? 1 : 0,
        Activation.Sigmoid => Phi(f, a) * (1 - Phi(f, a)),
        _ => 1,
    };
}
