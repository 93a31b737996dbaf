using System.Numerics.Tensors;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Representation neurons (spec eqs. 1–2), explicit Euler: u̇ = (s + γe − u)/τ_m; ũ = u + τ_r u̇; u ← u + dt u̇.
/// Written with per-neuron ratios so that τ_r = τ_m gives ũ = s + γe up to one rounding (LE identity):
/// ũ = u + (τ_r/τ_m)(x − u), u ← u + (dt/τ_m)(x − u), x = s + γe.
/// </summary>
public static class ProspectiveRate
{
    /// <summary>One row. <paramref name="drive"/> holds s on entry and is overwritten with x − u;
    /// <paramref name="uDot"/> (optional, may be empty) receives u̇ for the τ_m gradient.</summary>
    public static void Step(Span<float> drive, ReadOnlySpan<float> e, float gamma, Span<float> u, Span<float> uTilde,
                            ReadOnlySpan<float> rOverM, ReadOnlySpan<float> dtOverM, ReadOnlySpan<float> invTauM, Span<float> uDot)
    {
        if (gamma != 0f) TensorPrimitives.MultiplyAdd(e, gamma, drive, drive);
        TensorPrimitives.Subtract(drive, u, drive);                 // x − u = τ_m u̇
        TensorPrimitives.MultiplyAdd(drive, rOverM, u, uTilde);     // ũ = u + (τ_r/τ_m)(x − u)
        if (!uDot.IsEmpty) TensorPrimitives.Multiply(drive, invTauM, uDot);
        TensorPrimitives.MultiplyAdd(drive, dtOverM, u, u);         // u += (dt/τ_m)(x − u)
    }
}
