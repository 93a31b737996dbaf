using System.Numerics.Tensors;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Error neurons with inverted time constants (spec eqs. 4–5), explicit Euler:
/// v̇ = (e^inst − v)/τ_r; e = v + τ_m v̇; v ← v + dt v̇, i.e. e = D⁺_{τ_m} ℐ⁻_{τ_r}[e^inst].
/// Per-neuron factors: <c>mOverR</c> = τ_m/τ_r and <c>dtOverR</c> = dt/τ_r. The ablation sets e = v = e^inst.
/// </summary>
public static class ErrorNeurons
{
    /// <summary>One row: updates <paramref name="v"/> in place and writes <paramref name="e"/>;
    /// <paramref name="scratch"/> receives e^inst − v.</summary>
    public static void Step(ReadOnlySpan<float> eInst, Span<float> v, Span<float> e, ReadOnlySpan<float> mOverR,
                            ReadOnlySpan<float> dtOverR, bool prospective, Span<float> scratch)
    {
        if (!prospective)
        {
            eInst.CopyTo(e);
            eInst.CopyTo(v);
            return;
        }
        TensorPrimitives.Subtract(eInst, v, scratch);          // τ_r v̇
        TensorPrimitives.MultiplyAdd(scratch, mOverR, v, e);   // e = v + (τ_m/τ_r)(e^inst − v)
        TensorPrimitives.MultiplyAdd(scratch, dtOverR, v, v);  // v += (dt/τ_r)(e^inst − v)
    }
}
