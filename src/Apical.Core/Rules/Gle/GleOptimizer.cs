using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Apical.Core.Optimization;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Per-step optimiser of one GLE parameter tensor, state kept in the layer: SGD (p ← p − lr g), SGD with
/// momentum (m ← μ m + g; p ← p − lr m) or Adam (bias-corrected, no weight decay). The learning rate can be
/// changed between steps (reduce-on-plateau).
/// </summary>
public sealed class GleOptimizer
{
    private readonly OptimizerKind _kind;
    private readonly float _momentum, _beta1, _beta2;
    private readonly double _b1, _b2, _eps;
    private readonly float[] _m;
    private readonly float[] _s;

    public GleOptimizer(OptimizerSpec spec, Tensor parameter)
    {
        Parameter = parameter;
        _kind = spec.Type;
        LearningRate = spec.LearningRate;
        _momentum = (float)spec.Momentum;
        _b1 = spec.Beta1; _b2 = spec.Beta2; _eps = spec.Epsilon;
        _beta1 = (float)spec.Beta1; _beta2 = (float)spec.Beta2;
        _m = new float[parameter.Length];
        _s = _kind == OptimizerKind.Adam ? new float[parameter.Length] : [];
    }

    public Tensor Parameter { get; }
    public double LearningRate { get; set; }
    public long Steps { get; private set; }

    /// <summary>Optimiser state (momentum or Adam moments), for checkpoints and equality tests.</summary>
    public IReadOnlyList<float[]> State => _kind == OptimizerKind.Adam ? [_m, _s] : [_m];

    public void Step(ReadOnlySpan<float> g)
    {
        var p = Parameter.Span;
        Steps++;
        if (_kind == OptimizerKind.Adam)
        {
            double c1 = 1 - Math.Pow(_b1, Steps), c2 = 1 - Math.Pow(_b2, Steps);
            float step = (float)(LearningRate * Math.Sqrt(c2) / c1);
            float eps = (float)(_eps * Math.Sqrt(c2));
            var m = _m.AsSpan(0, p.Length);
            var s = _s.AsSpan(0, p.Length);
            int i0 = 0;
            if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
            {
                var vb1 = new Vector<float>(_beta1); var vb1c = new Vector<float>(1f - _beta1);
                var vb2 = new Vector<float>(_beta2); var vb2c = new Vector<float>(1f - _beta2);
                var vstep = new Vector<float>(step); var veps = new Vector<float>(eps);
                var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
                var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
                var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
                var sv = MemoryMarshal.Cast<float, Vector<float>>(s);
                for (int k = 0; k < pv.Length; k++)
                {
                    var gk = gv[k];
                    var mk = vb1 * mv[k] + vb1c * gk;
                    var sk = vb2 * sv[k] + vb2c * (gk * gk);
                    mv[k] = mk;
                    sv[k] = sk;
                    pv[k] -= vstep * mk / (Vector.SquareRoot(sk) + veps);
                }
                i0 = pv.Length * Vector<float>.Count;
            }
            for (int i = i0; i < p.Length; i++)
            {
                float gi = g[i];
                float mi = _beta1 * m[i] + (1f - _beta1) * gi;
                float si = _beta2 * s[i] + (1f - _beta2) * gi * gi;
                m[i] = mi;
                s[i] = si;
                p[i] -= step * mi / (MathF.Sqrt(si) + eps);
            }
            return;
        }
        float lr = (float)LearningRate;
        if (_momentum > 0)
        {
            var m = _m.AsSpan(0, p.Length);
            TensorPrimitives.MultiplyAdd(m, _momentum, g, m);
            TensorPrimitives.MultiplyAdd(m, -lr, p, p);
        }
        else TensorPrimitives.MultiplyAdd(g, -lr, p, p);
    }
}
