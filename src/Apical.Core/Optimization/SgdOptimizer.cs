using System.Numerics.Tensors;
using Apical.Core.Numerics;

namespace Apical.Core.Optimization;

/// <summary>Stochastic gradient descent with optional heavy-ball momentum: v ← μ v + g; θ ← θ − η v.</summary>
public sealed class SgdOptimizer : ParameterOptimizer
{
    private readonly float[]? _velocity;

    public SgdOptimizer(OptimizerSpec spec, Tensor parameter) : base(spec, parameter)
    {
        if (spec.Momentum > 0) _velocity = new float[parameter.Length];
    }

    public override IReadOnlyList<float[]> State => _velocity is null ? Array.Empty<float[]>() : new[] { _velocity };

    protected override void Apply(Span<float> g)
    {
        var p = Parameter.Span;
        float lr = (float)Spec.LearningRate;
        if (_velocity is null)
        {
            TensorPrimitives.MultiplyAdd(g, -lr, p, p);
            return;
        }
        var v = _velocity.AsSpan(0, p.Length);
        TensorPrimitives.MultiplyAdd(v, (float)Spec.Momentum, g, v);
        TensorPrimitives.MultiplyAdd(v, -lr, p, p);
    }
}
