using Apical.Core.Rules.Gle;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>
/// Exact reverse-mode gradient of the discrete GLE forward dynamics (spec section 6 with γ = 0, no bias, weights
/// frozen, zero initial state): per layer and step s = W r_in, ũ = u + (τ_r/τ_m)(s − u), u ← u + (dt/τ_m)(s − u),
/// r = φ(ũ), r_in of layer l at step k = r_{l−1} of step k − 1 (layer 1: x_k), output seen at step k = r_L(k − 1).
/// Loss ℒ = Σ_{k=K0}^{K1} ½‖y_k − out_k‖² dt. Double precision; diagnostics only, never inside a layer.
/// </summary>
internal sealed class BpttOracle
{
    private readonly double[][,] _w;
    private readonly GlePhi[] _phi;
    private readonly double[][] _rho, _delta;
    private readonly double _dt;

    public BpttOracle(double[][,] weights, GlePhi[] phi, double[][] tauM, double[][] tauR, double dt)
    {
        _w = weights;
        _phi = phi;
        _dt = dt;
        _rho = new double[weights.Length][];
        _delta = new double[weights.Length][];
        for (int l = 0; l < weights.Length; l++)
        {
            int n = weights[l].GetLength(0);
            _rho[l] = new double[n];
            _delta[l] = new double[n];
            for (int j = 0; j < n; j++) { _rho[l][j] = tauR[l][j] / tauM[l][j]; _delta[l][j] = dt / tauM[l][j]; }
        }
    }

    private int L => _w.Length;

    /// <summary>ũ of every layer and step: [layer][step][neuron].</summary>
    private double[][][] Forward(double[][] x)
    {
        int K = x.Length;
        var ut = new double[L][][];
        var u = new double[L][];
        var r = new double[L][];
        for (int l = 0; l < L; l++)
        {
            int n = _w[l].GetLength(0);
            ut[l] = new double[K][];
            u[l] = new double[n];
            r[l] = new double[n];
        }
        for (int k = 0; k < K; k++)
        {
            var newR = new double[L][];
            for (int l = 0; l < L; l++)
            {
                var rIn = l == 0 ? x[k] : r[l - 1];
                int n = _w[l].GetLength(0);
                ut[l][k] = new double[n];
                newR[l] = new double[n];
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int i = 0; i < rIn.Length; i++) s += _w[l][j, i] * rIn[i];
                    ut[l][k][j] = u[l][j] + _rho[l][j] * (s - u[l][j]);
                    u[l][j] += _delta[l][j] * (s - u[l][j]);
                    newR[l][j] = GlePhiFunctions.Value(_phi[l], ut[l][k][j]);
                }
            }
            r = newR;
        }
        return ut;
    }

    private double[] Rate(double[][][] ut, int l, int k)
    {
        int n = _w[l].GetLength(0);
        var r = new double[n];
        if (k < 0) return r;
        for (int j = 0; j < n; j++) r[j] = GlePhiFunctions.Value(_phi[l], ut[l][k][j]);
        return r;
    }

    /// <summary>Output seen at every step: out_k = r_L(k − 1), zero at step 0.</summary>
    public double[][] Outputs(double[][] x)
    {
        var ut = Forward(x);
        var outs = new double[x.Length][];
        for (int k = 0; k < x.Length; k++) outs[k] = Rate(ut, L - 1, k - 1);
        return outs;
    }

    /// <summary>∂ℒ/∂W_l for every layer.</summary>
    public double[][,] Gradient(double[][] x, double[][] y, int k0, int k1)
    {
        int K = x.Length;
        var ut = Forward(x);
        var grad = new double[L][,];
        var gS = new double[L][];
        var gUt = new double[L][];
        var gU = new double[L][];
        for (int l = 0; l < L; l++)
        {
            grad[l] = new double[_w[l].GetLength(0), _w[l].GetLength(1)];
            int n = _w[l].GetLength(0);
            gS[l] = new double[n]; gUt[l] = new double[n]; gU[l] = new double[n];
        }
        for (int k = K - 1; k >= 0; k--)
        {
            for (int l = 0; l < L; l++) // ascending: layer l reads step k+1's adjoint of layer l+1 before it is overwritten
            {
                int n = _w[l].GetLength(0);
                var gR = new double[n];
                if (l == L - 1 && k + 1 >= k0 && k + 1 <= k1)
                {
                    var rL = Rate(ut, l, k);
                    for (int j = 0; j < n; j++) gR[j] -= (y[k + 1][j] - rL[j]) * _dt;
                }
                if (l < L - 1)
                    for (int j = 0; j < n; j++)
                        for (int o = 0; o < _w[l + 1].GetLength(0); o++) gR[j] += _w[l + 1][o, j] * gS[l + 1][o];
                var rIn = l == 0 ? x[k] : Rate(ut, l - 1, k - 1);
                for (int j = 0; j < n; j++)
                {
                    double gut = gR[j] * GlePhiFunctions.Derivative(_phi[l], ut[l][k][j]);
                    double gu = gUt[l][j] * (1 - _rho[l][j]) + gU[l][j] * (1 - _delta[l][j]); // adjoint of u(k)
                    double gs = gut * _rho[l][j] + gu * _delta[l][j];
                    for (int i = 0; i < rIn.Length; i++) grad[l][j, i] += gs * rIn[i];
                    gS[l][j] = gs; gUt[l][j] = gut; gU[l][j] = gu;
                }
            }
        }
        return grad;
    }
}
