using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

/// <summary>
/// Standard normals from consecutive <see cref="Philox"/> blocks, with the same bits on every SIMD width.
/// <para>
/// A fill of 4m values (m a multiple of <see cref="BlockAlign"/>) uses the blocks start … start + m − 1. Block j gives
/// four words (x0, x1, x2, x3) and two Box–Muller pairs: (x0, x1) → dst[j] = ρ cos θ, dst[m + j] = ρ sin θ;
/// (x2, x3) → dst[2m + j], dst[3m + j]. For a pair (xu, xw): ρ = √(−2 ln u) with u = ((xu ≫ 8) + 1)·2⁻²⁴ ∈ (0, 1],
/// θ = 2π w with w = (xw ≫ 8)·2⁻²⁴.
/// </para>
/// <para>
/// Every path evaluates the same sequence of IEEE float operations (add, multiply, divide, square root, exact
/// integer and sign manipulations; no fused multiply-add, whose single rounding would differ from multiply then
/// add): ln u by exponent extraction and the atanh series of the mantissa, sin and cos of 2πw by an exact integer
/// reduction to a quadrant and a quarter-turn angle |a| ≤ π/4 and Taylor polynomials in a. So a value depends only
/// on (key, stream, block, position), never on the CPU's vector width. Each value is within 2·10⁻⁶ of the
/// double-precision Box–Muller of the same words (tested).
/// </para>
/// </summary>
public static partial class NormalBlocks
{
    /// <summary>Block counts are multiples of this (the lane count of the widest path), so no path needs a tail.</summary>
    public const int BlockAlign = 16;

    private const float TwoPowMinus24 = 1f / 16777216f;
    private const float QuarterTurnScale = (float)(2 * Math.PI / 16777216.0); // radians per unit of the 24-bit angle
    private const uint SqrtTwoBits = 0x3FB504F3;   // float bits of √2: mantissas above it are halved
    private const uint ExponentOne = 0x00800000;   // one unit of the float exponent field
    private const float Ln2Hi = 0.693145751953125f; // few mantissa bits: e·Ln2Hi is exact for |e| ≤ 24
    private const float Ln2Lo = 1.42860682030941723212e-6f;
    // ln m = 2s (1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9 + …), s = (m − 1)/(m + 1), |s| ≤ 0.172
    private const float L3 = 1f / 3, L5 = 1f / 5, L7 = 1f / 7, L9 = 1f / 9;
    // Taylor coefficients of sin and cos
    private const float S3 = -1f / 6, S5 = 1f / 120, S7 = -1f / 5040, S9 = 1f / 362880;
    private const float C2 = -1f / 2, C4 = 1f / 24, C6 = -1f / 720, C8 = 1f / 40320, C10 = -1f / 3628800;

    private static GemmPath s_path = GemmPath.Auto;

    /// <summary>Forces a path (tests, benchmarks); <see cref="GemmPath.Auto"/> picks the widest accelerated one. Process-wide.</summary>
    public static GemmPath Path
    {
        get => s_path;
        set
        {
            if (!IsSupported(value))
                throw new PlatformNotSupportedException($"normal-fill path {value} is not supported by this CPU/runtime");
            s_path = value;
        }
    }

    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Auto or GemmPath.Scalar => true,
        GemmPath.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmPath.Vector256 => Vector256.IsHardwareAccelerated && Avx2.IsSupported,
        _ => false,
    };

    /// <summary>The path fills run with under the current <see cref="Path"/>.</summary>
    public static GemmPath ActivePath => s_path != GemmPath.Auto ? s_path
        : IsSupported(GemmPath.Vector512) ? GemmPath.Vector512
        : IsSupported(GemmPath.Vector256) ? GemmPath.Vector256 : GemmPath.Scalar;

    /// <summary>Blocks m for at least n values: ⌈n / 4⌉ rounded up to <see cref="BlockAlign"/>; a fill writes 4m values.</summary>
    public static int BlockCount(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return (int)(((long)n + 4 * BlockAlign - 1) / (4 * BlockAlign)) * BlockAlign;
    }

    /// <summary>Fills <paramref name="dst"/> (length 4m, m a multiple of 16) from blocks start … start + m − 1.</summary>
    internal static void Fill(uint k0, uint k1, uint s0, uint s1, ulong start, Span<float> dst)
    {
        if (dst.Length % (4 * BlockAlign) != 0)
            throw new ArgumentException($"length {dst.Length} is not a multiple of {4 * BlockAlign}", nameof(dst));
        int m = dst.Length / 4;
        switch (ActivePath)
        {
            case GemmPath.Vector512: FillLanes<Lanes512, Vector512<uint>>(k0, k1, s0, s1, start, dst, m); break;
            case GemmPath.Vector256: FillLanes<Lanes256, Vector256<uint>>(k0, k1, s0, s1, start, dst, m); break;
            default: FillScalar(k0, k1, s0, s1, start, dst, m); break;
        }
    }

    private static void FillScalar(uint k0, uint k1, uint s0, uint s1, ulong start, Span<float> dst, int m)
    {
        for (int j = 0; j < m; j++)
        {
            ulong block = start + (ulong)j;
            uint x0 = (uint)block, x1 = (uint)(block >> 32), x2 = s0, x3 = s1;
            Philox.Block(ref x0, ref x1, ref x2, ref x3, k0, k1);
            (dst[j], dst[m + j]) = Pair(x0, x1);
            (dst[2 * m + j], dst[3 * m + j]) = Pair(x2, x3);
        }
    }

    /// <summary>One Box–Muller pair (ρ cos θ, ρ sin θ) in the width-independent arithmetic of the vector paths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (float Cos, float Sin) Pair(uint xu, uint xw)
    {
        float rho = Radius((int)(xu >> 8) + 1);
        int w = (int)(xw >> 8);
        int q = (w + (1 << 21)) >> 22;  // nearest quarter turn, 0..4
        float a = (w - (q << 22)) * QuarterTurnScale;
        float a2 = a * a;
        float sin = a + a * (a2 * (((S9 * a2 + S7) * a2 + S5) * a2 + S3));
        float cos = 1f + a2 * ((((C10 * a2 + C8) * a2 + C6) * a2 + C4) * a2 + C2);
        // rotate (cos a, sin a) by q quarter turns: swap on odd q, then the signs of the quadrant
        float x = (q & 1) != 0 ? sin : cos;
        float y = (q & 1) != 0 ? cos : sin;
        uint signX = (uint)((q + 1) & 2) << 30, signY = (uint)(q & 2) << 30;
        return (rho * FlipSign(x, signX), rho * FlipSign(y, signY));
    }

    /// <summary>√(−2 ln u) for u = k·2⁻²⁴, k in 1 … 2²⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Radius(int k)
    {
        uint bits = BitConverter.SingleToUInt32Bits(k * TwoPowMinus24);
        int e = (int)(bits >> 23) - 127;
        uint mb = (bits & 0x007FFFFF) | 0x3F800000;
        if (mb > SqrtTwoBits)
        {
            mb -= ExponentOne;
            e += 1;
        }
        float mant = BitConverter.UInt32BitsToSingle(mb);
        float s = (mant - 1f) / (mant + 1f);
        float z = s * s;
        float t = s + s;
        float lnm = t + t * (z * (((L9 * z + L7) * z + L5) * z + L3));
        float fe = e;
        float ln = fe * Ln2Hi + (lnm + fe * Ln2Lo);
        return MathF.Sqrt(ln * -2f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float FlipSign(float v, uint sign) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(v) ^ sign);
}
