using System.Numerics.Tensors;
using Apical.Core.Numerics;

namespace Apical.Core.Optimization;

/// <summary>Updates one parameter tensor from its gradient; owns that tensor's optimiser state.</summary>
public abstract class ParameterOptimizer
{
    protected ParameterOptimizer(OptimizerSpec spec, Tensor parameter)
    {
        Spec = spec;
        Parameter = parameter;
    }

    public OptimizerSpec Spec { get; }
    public Tensor Parameter { get; }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; protected set; }

    /// <summary>Norm of the last gradient before clipping (diagnostics).</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>Clips <paramref name="gradient"/> in place (per-tensor norm), adds weight decay, then updates the parameter.</summary>
    public void Step(Tensor gradient)
    {
        if (!gradient.SameShape(Parameter))
            throw new ArgumentException($"gradient {gradient} does not match parameter {Parameter}");
        var g = gradient.Span;
        float norm = TensorPrimitives.Norm(g);
        LastGradientNorm = norm;
        if (Spec.ClipNorm > 0 && norm > Spec.ClipNorm)
            TensorPrimitives.Multiply(g, (float)(Spec.ClipNorm / norm), g);
        if (Spec.WeightDecay > 0)
            TensorPrimitives.MultiplyAdd(Parameter.ReadOnlySpan, (float)Spec.WeightDecay, g, g);
        Steps++;
        Apply(g);
    }

    protected abstract void Apply(Span<float> gradient);

    /// <summary>The optimiser's state tensors, for checkpoints.</summary>
    public abstract IReadOnlyList<float[]> State { get; }

    /// <summary>Writes the step count and state tensors under names prefixed by <paramref name="prefix"/>.</summary>
    public void Save(Checkpoints.CheckpointWriter writer, string prefix)
    {
        writer.Counter($"{prefix}.steps", Steps);
        var state = State;
        for (int i = 0; i < state.Count; i++) writer.Floats($"{prefix}.state{i}", 1, Parameter.Length, state[i].AsSpan(0, Parameter.Length));
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(Checkpoints.CheckpointReader reader, string prefix)
    {
        Steps = reader.Counter($"{prefix}.steps");
        var state = State;
        for (int i = 0; i < state.Count; i++) reader.Floats($"{prefix}.state{i}", 1, Parameter.Length, state[i].AsSpan(0, Parameter.Length));
    }
}
