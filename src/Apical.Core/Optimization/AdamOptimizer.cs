using System.Numerics;
using System.Runtime.InteropServices;
using Apical.Core.Numerics;

namespace Apical.Core.Optimization;

/// <summary>
/// Adam (Kingma and Ba, 2015) with the textbook bias correction:
/// m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², θ ← θ − η m̂ / (√v̂ + ε), m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
/// One fused vectorised pass; the bias corrections are computed in double once per step.
/// </summary>
public sealed class AdamOptimizer : ParameterOptimizer
{
    private readonly float[] _m;
    private readonly float[] _v;

    public AdamOptimizer(OptimizerSpec spec, Tensor parameter) : base(spec, parameter)
    {
        _m = new float[parameter.Length];
        _v = new float[parameter.Length];
    }

    public override IReadOnlyList<float[]> State => new[] { _m, _v };

    protected override void Apply(Span<float> g)
    {
        var p = Parameter.Span;
        float b1 = (float)Spec.Beta1, b2 = (float)Spec.Beta2;
        double c1 = 1 - Math.Pow(Spec.Beta1, Steps);
        double c2 = 1 - Math.Pow(Spec.Beta2, Steps);
        // θ −= (η/c1) · m / (√(v/c2) + ε)  ==  θ −= step · m / (√v + ε √c2),  step = η √c2 / c1
        float stepSize = (float)(Spec.LearningRate * Math.Sqrt(c2) / c1);
        float epsHat = (float)(Spec.Epsilon * Math.Sqrt(c2));
        var m = _m.AsSpan(0, p.Length);
        var v = _v.AsSpan(0, p.Length);

        int i = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var vb1 = new Vector<float>(b1); var vb1c = new Vector<float>(1 - b1);
            var vb2 = new Vector<float>(b2); var vb2c = new Vector<float>(1 - b2);
            var vs = new Vector<float>(stepSize); var ve = new Vector<float>(epsHat);
            var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            for (int k = 0; k < pv.Length; k++)
            {
                var gk = gv[k];
                var mk = vb1 * mv[k] + vb1c * gk;
                var vk = vb2 * vv[k] + vb2c * gk * gk;
                mv[k] = mk;
                vv[k] = vk;
                pv[k] -= vs * mk / (Vector.SquareRoot(vk) + ve);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            float gi = g[i];
            float mi = b1 * m[i] + (1 - b1) * gi;
            float vi = b2 * v[i] + (1 - b2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= stepSize * mi / (MathF.Sqrt(vi) + epsHat);
        }
    }
}
