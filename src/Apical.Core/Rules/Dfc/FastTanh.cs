using System.Numerics;
using System.Runtime.InteropServices;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// Vectorised float32 tanh for the DFC hot path: an odd/even rational minimax approximation
/// x·P(x²)/Q(x²) on |x| ≤ 7.90531 (inputs clamped there), max abs error ~3e-8 inside the range and
/// ≤ 2.7e-7 beyond it (float32 resolution near ±1 is 6e-8). About 10× faster than the library tanh here; every
/// DFC layer uses it for φ and φ(v^ff) alike, so the teaching signal φ(v) − φ(v^ff) is formed consistently.
/// </summary>
public static class FastTanh
{
    private const float Clamp = 7.90531110763549805f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
        A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>dst[i] = tanh(x[i]); x and dst may be the same span.</summary>
    public static void Apply(ReadOnlySpan<float> x, Span<float> dst)
    {
        if (dst.Length < x.Length) throw new ArgumentException("destination shorter than source", nameof(dst));
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xs = MemoryMarshal.Cast<float, Vector<float>>(x);
            var ds = MemoryMarshal.Cast<float, Vector<float>>(dst);
            var hi = new Vector<float>(Clamp);
            var lo = new Vector<float>(-Clamp);
            for (int k = 0; k < xs.Length; k++)
            {
                var v = Vector.Min(Vector.Max(xs[k], lo), hi);
                var v2 = v * v;
                var p = new Vector<float>(A13);
                p = p * v2 + new Vector<float>(A11);
                p = p * v2 + new Vector<float>(A9);
                p = p * v2 + new Vector<float>(A7);
                p = p * v2 + new Vector<float>(A5);
                p = p * v2 + new Vector<float>(A3);
                p = p * v2 + new Vector<float>(A1);
                var q = new Vector<float>(B6);
                q = q * v2 + new Vector<float>(B4);
                q = q * v2 + new Vector<float>(B2);
                q = q * v2 + new Vector<float>(B0);
                ds[k] = v * p / q;
            }
            i = xs.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) dst[i] = Scalar(x[i]);
    }

    public static void Apply(Span<float> x) => Apply(x, x);

    public static float Scalar(float x)
    {
        float v = Math.Clamp(x, -Clamp, Clamp);
        float v2 = v * v;
        float p = ((((((A13 * v2 + A11) * v2 + A9) * v2 + A7) * v2 + A5) * v2 + A3) * v2 + A1);
        float q = (((B6 * v2 + B4) * v2 + B2) * v2 + B0);
        return v * p / q;
    }
}
