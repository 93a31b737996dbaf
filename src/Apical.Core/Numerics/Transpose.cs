using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

/// <summary>Out-of-place matrix transposition in 8 × 8 blocks (transposed in AVX registers where available).</summary>
public static class Transpose
{
    /// <summary>dst[j · dstStride + r] = src[r · cols + j] for r &lt; rows, j &lt; cols: the rows of a row-major
    /// rows × cols block become columns of a matrix whose rows are <paramref name="dstStride"/> floats apart.</summary>
    public static unsafe void Into(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, int dstStride)
    {
        if (rows < 0 || cols < 0 || src.Length < (long)rows * cols)
            throw new ArgumentException($"a {rows} x {cols} block does not fit a source of {src.Length} floats", nameof(src));
        if (rows == 0 || cols == 0) return;
        if (dstStride < rows || dst.Length < (long)(cols - 1) * dstStride + rows)
            throw new ArgumentException($"the transpose of a {rows} x {cols} block does not fit {dst.Length} floats at row stride {dstStride}", nameof(dst));
        fixed (float* s = src)
        fixed (float* d = dst)
        {
            int r0 = 0;
            if (Avx.IsSupported)
            {
                for (; r0 + 8 <= rows; r0 += 8)
                {
                    int j0 = 0;
                    for (; j0 + 8 <= cols; j0 += 8) Block8x8(s + (nint)r0 * cols + j0, cols, d + (nint)j0 * dstStride + r0, dstStride, 8);
                    for (; j0 < cols; j0++)
                        for (int r = r0; r < r0 + 8; r++) d[(nint)j0 * dstStride + r] = s[(nint)r * cols + j0];
                }
            }
            for (int r = r0; r < rows; r++)
                for (int j = 0; j < cols; j++) d[(nint)j * dstStride + r] = s[(nint)r * cols + j];
        }
    }

    /// <summary>Transposes the 8 × 8 block at <paramref name="src"/> (row stride <paramref name="ss"/>) into
    /// <paramref name="dst"/> (row stride <paramref name="ds"/>): column t of the block becomes row t. Block rows at or
    /// beyond <paramref name="valid"/> read as zeros (the GEMM's zero padding of a partial panel). Needs AVX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Block8x8(float* src, nint ss, float* dst, nint ds, int valid)
    {
        Vector256<float> zero = Vector256<float>.Zero;
        Vector256<float> r0 = valid > 0 ? Avx.LoadVector256(src) : zero;
        Vector256<float> r1 = valid > 1 ? Avx.LoadVector256(src + ss) : zero;
        Vector256<float> r2 = valid > 2 ? Avx.LoadVector256(src + 2 * ss) : zero;
        Vector256<float> r3 = valid > 3 ? Avx.LoadVector256(src + 3 * ss) : zero;
        Vector256<float> r4 = valid > 4 ? Avx.LoadVector256(src + 4 * ss) : zero;
        Vector256<float> r5 = valid > 5 ? Avx.LoadVector256(src + 5 * ss) : zero;
        Vector256<float> r6 = valid > 6 ? Avx.LoadVector256(src + 6 * ss) : zero;
        Vector256<float> r7 = valid > 7 ? Avx.LoadVector256(src + 7 * ss) : zero;
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ds, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ds, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ds, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ds, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ds, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ds, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ds, Avx.Permute2x128(s3, s7, 0x31));
    }
}
