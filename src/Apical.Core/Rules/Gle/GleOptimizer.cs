using System.Numerics.Tensors;
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
            for (int i = 0; i < p.Length; i++)
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
