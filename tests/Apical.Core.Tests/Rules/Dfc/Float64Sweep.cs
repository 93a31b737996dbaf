using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>
/// A float64 re-implementation of one noise-free DFC mini-batch under the sweep schedule (spec 5.1), written
/// straight from the equations for the precision check (spec check 19): controller with the leak on the total
/// control, instantaneous or filtered apical compartment, Euler soma, and the continuous forward rule of spec 8
/// (g_W = −2/(B T) Σ_k Σ_b s[k] p[k]ᵀ). It reads the float32 layers' weights once and never calls their code.
/// </summary>
internal sealed class Float64Sweep
{
    private readonly double[][,] _w, _q;
    private readonly double[][] _b;
    private readonly Activation[] _act;

    public Float64Sweep(IReadOnlyList<DfcLayer> layers)
    {
        int L = layers.Count;
        _w = new double[L][,];
        _q = new double[L][,];
        _b = new double[L][];
        _act = new Activation[L];
        for (int l = 0; l < L; l++)
        {
            _w[l] = ToArray(layers[l].Weights);
            _q[l] = ToArray(layers[l].FeedbackWeights);
            _b[l] = new double[layers[l].Bias.Cols];
            for (int j = 0; j < _b[l].Length; j++) _b[l][j] = layers[l].Bias[0, j];
            _act[l] = layers[l].Options.Activation;
        }
    }

    /// <summary>u[T−1] per sample (B × n_L).</summary>
    public double[,] FinalControl { get; private set; } = new double[0, 0];

    /// <summary>The continuous forward-rule gradient of every layer (n_l × n_{l−1}).</summary>
    public double[][,] WeightGradients { get; private set; } = Array.Empty<double[,]>();

    public void Run(PhaseConstants c, Tensor x, Tensor labels)
    {
        int L = _w.Length, B = x.Rows, nL = _w[L - 1].GetLength(0);
        var grads = new double[L][,];
        for (int l = 0; l < L; l++) grads[l] = new double[_w[l].GetLength(0), _w[l].GetLength(1)];
        var u = new double[B, nL];
        for (int b = 0; b < B; b++)
        {
            var input = new double[x.Cols];
            for (int i = 0; i < input.Length; i++) input[i] = x[b, i];
            var r = new double[L][];
            var v = new double[L][];
            var vfb = new double[L][];
            var pre = input;
            for (int l = 0; l < L; l++)
            {
                v[l] = Basal(l, pre);
                r[l] = Phi(l, v[l]);
                vfb[l] = new double[v[l].Length];
                pre = r[l];
            }
            var y = new double[nL];
            for (int j = 0; j < nL; j++) y[j] = labels[b, j];
            var target = Target(c, r[L - 1], y);
            var uInt = new double[nL];
            var ub = new double[nL];
            for (int k = 0; k < c.Steps - 1; k++)
            {
                var e = Error(c, target, r[L - 1]);
                for (int j = 0; j < nL; j++)
                {
                    uInt[j] += c.Dt * (e[j] - c.Alpha * ub[j]);
                    ub[j] = uInt[j] + c.Kp * e[j];
                }
                pre = input;
                for (int l = 0; l < L; l++)
                {
                    var vff = Basal(l, pre);
                    var qu = MulVec(_q[l], ub);
                    for (int i = 0; i < v[l].Length; i++)
                    {
                        vfb[l][i] = c.InstantaneousApical ? qu[i] : vfb[l][i] + c.Dt / c.TauFb * (qu[i] - vfb[l][i]);
                        v[l][i] += c.Dt / c.TauV * (vff[i] + vfb[l][i] - v[l][i]);
                    }
                    r[l] = Phi(l, v[l]);
                    var phiFf = Phi(l, vff);
                    for (int i = 0; i < v[l].Length; i++)
                    {
                        double s = c.ForwardRule == ForwardRuleKind.VoltageDifference ? v[l][i] - vff[i] : r[l][i] - phiFf[i];
                        for (int j = 0; j < pre.Length; j++) grads[l][i, j] += s * pre[j];
                    }
                    pre = r[l];
                }
            }
            for (int j = 0; j < nL; j++) u[b, j] = ub[j];
        }
        double scale = -2.0 / ((double)B * c.Steps);
        foreach (var g in grads)
            for (int i = 0; i < g.GetLength(0); i++)
                for (int j = 0; j < g.GetLength(1); j++) g[i, j] *= scale;
        FinalControl = u;
        WeightGradients = grads;
    }

    private double[] Basal(int l, double[] pre)
    {
        var v = MulVec(_w[l], pre);
        for (int i = 0; i < v.Length; i++) v[i] += _b[l][i];
        return v;
    }

    private double[] Phi(int l, double[] v)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = _act[l] == Activation.Tanh ? Math.Tanh(v[i]) : v[i];
        return r;
    }

    private static double[] Target(PhaseConstants c, double[] rMinus, double[] y)
    {
        var t = new double[y.Length];
        var p = Softmax(rMinus);
        for (int j = 0; j < t.Length; j++)
            t[j] = c.Target switch
            {
                TargetKind.Label => y[j],
                TargetKind.Feedforward => rMinus[j],
                _ => rMinus[j] - c.TargetStepsize * (p[j] - y[j]),
            };
        return t;
    }

    private static double[] Error(PhaseConstants c, double[] target, double[] r)
    {
        var out_ = c.SoftmaxError ? Softmax(r) : r;
        var e = new double[r.Length];
        for (int j = 0; j < e.Length; j++) e[j] = target[j] - out_[j];
        return e;
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max(), sum = 0;
        var p = new double[z.Length];
        for (int j = 0; j < z.Length; j++) sum += p[j] = Math.Exp(z[j] - max);
        for (int j = 0; j < z.Length; j++) p[j] /= sum;
        return p;
    }

    private static double[] MulVec(double[,] m, double[] x)
    {
        var y = new double[m.GetLength(0)];
        for (int i = 0; i < y.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < x.Length; j++) s += m[i, j] * x[j];
            y[i] = s;
        }
        return y;
    }

    private static double[,] ToArray(Tensor t)
    {
        var a = new double[t.Rows, t.Cols];
        for (int i = 0; i < t.Rows; i++)
            for (int j = 0; j < t.Cols; j++) a[i, j] = t[i, j];
        return a;
    }
}
