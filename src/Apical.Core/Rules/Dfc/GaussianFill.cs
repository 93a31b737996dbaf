using System.Numerics.Tensors;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// Standard normals for the apical noise, many at a time: Box–Muller on uniform pairs from the counter-based
/// generator, with the logarithm, square root, sine and cosine vectorised (~10× faster than drawing one value at a
/// time). For n values it uses n/2 pairs (u, w): dst[i] = ρ_i cos θ_i, dst[i + n/2] = ρ_i sin θ_i with
/// ρ = √(−2 ln u), θ = 2π w, u ∈ (0, 1]. Deterministic for a given (seed, stream, counter) on a given vector width.
/// </summary>
internal static class GaussianFill
{
    private const float TwoPowMinus24 = 1f / 16777216f;

    /// <param name="scratch">at least ⌈n/2⌉ × 3 floats.</param>
    public static void Fill(ref CounterRng rng, Span<float> dst, Span<float> scratch)
    {
        int n = dst.Length;
        int half = (n + 1) / 2;
        var rho = scratch.Slice(0, half);
        var theta = scratch.Slice(half, half);
        var sin = scratch.Slice(2 * half, half);
        for (int i = 0; i < half; i++)
        {
            rho[i] = ((rng.NextUInt() >> 8) + 1) * TwoPowMinus24;
            theta[i] = (rng.NextUInt() >> 8) * (TwoPowMinus24 * 2f * MathF.PI);
        }
        TensorPrimitives.Log(rho, rho);
        TensorPrimitives.Multiply(rho, -2f, rho);
        TensorPrimitives.Sqrt(rho, rho);
        TensorPrimitives.Sin(theta, sin);
        TensorPrimitives.Cos(theta, theta);
        TensorPrimitives.Multiply(rho, theta, dst.Slice(0, half));
        TensorPrimitives.Multiply(rho.Slice(0, n - half), sin.Slice(0, n - half), dst.Slice(half, n - half));
    }
}
