// Micro-kernel for the Vector512 (AVX-512F) path. The per-row code is regular by design; rows beyond TR.Count are
// removed by the JIT because TR.Count is a constant in each generic specialisation.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

public static partial class Gemm
{
    private const int MR512 = 8;
    private const int NR512 = 32;

    /// <summary>Driver for the Vector512 path: 8 x 32 tiles (16 accumulators).</summary>
    private static unsafe void Run512(float* a, nint rsA, nint csA, int m, int k, float* b, int n, float* c, float alpha, bool accumulate)
    {
        for (int pc = 0; pc < k; pc += KBlock)
        {
            int kc = Math.Min(KBlock, k - pc);
            bool addC = accumulate || pc > 0;
            for (int i0 = 0; i0 < m; i0 += MR512)
            {
                int mr = Math.Min(MR512, m - i0);
                float* ai = a + i0 * rsA + pc * csA;
                float* ci = c + (nint)i0 * n;
                for (int j0 = 0; j0 < n; j0 += NR512)
                {
                    int nr = Math.Min(NR512, n - j0);
                    float* bj = b + (nint)(j0 / Panel) * k * Panel + (nint)pc * Panel + (j0 % Panel);
                    float* cij = ci + j0;
                    switch (mr)
                    {
                        case 8: Kernel512<Rows8>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 7: Kernel512<Rows7>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 6: Kernel512<Rows6>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 5: Kernel512<Rows5>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 4: Kernel512<Rows4>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 3: Kernel512<Rows3>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 2: Kernel512<Rows2>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 1: Kernel512<Rows1>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel512<TR>(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int nr, float alpha, bool addC)
        where TR : struct, IRowCount
    {
        Vector512<float> c00 = default; Vector512<float> c01 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default;
        Vector512<float> c40 = default; Vector512<float> c41 = default;
        Vector512<float> c50 = default; Vector512<float> c51 = default;
        Vector512<float> c60 = default; Vector512<float> c61 = default;
        Vector512<float> c70 = default; Vector512<float> c71 = default;
        nint o1 = 1 * rsA; nint o2 = 2 * rsA; nint o3 = 3 * rsA; nint o4 = 4 * rsA; nint o5 = 5 * rsA; nint o6 = 6 * rsA; nint o7 = 7 * rsA;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            if (TR.Count > 1)
            {
                x = Vector512.Create(a[o1]);
                c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            }
            if (TR.Count > 2)
            {
                x = Vector512.Create(a[o2]);
                c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            }
            if (TR.Count > 3)
            {
                x = Vector512.Create(a[o3]);
                c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            }
            if (TR.Count > 4)
            {
                x = Vector512.Create(a[o4]);
                c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            }
            if (TR.Count > 5)
            {
                x = Vector512.Create(a[o5]);
                c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            }
            if (TR.Count > 6)
            {
                x = Vector512.Create(a[o6]);
                c60 = Avx512F.FusedMultiplyAdd(x, b0, c60);
                c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            }
            if (TR.Count > 7)
            {
                x = Vector512.Create(a[o7]);
                c70 = Avx512F.FusedMultiplyAdd(x, b0, c70);
                c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            }
            a += csA;
            b += Panel;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (nr == NR512)
        {
            StoreRow512(c00, c01, c + 0 * ldc, va, addC);
            if (TR.Count > 1) StoreRow512(c10, c11, c + 1 * ldc, va, addC);
            if (TR.Count > 2) StoreRow512(c20, c21, c + 2 * ldc, va, addC);
            if (TR.Count > 3) StoreRow512(c30, c31, c + 3 * ldc, va, addC);
            if (TR.Count > 4) StoreRow512(c40, c41, c + 4 * ldc, va, addC);
            if (TR.Count > 5) StoreRow512(c50, c51, c + 5 * ldc, va, addC);
            if (TR.Count > 6) StoreRow512(c60, c61, c + 6 * ldc, va, addC);
            if (TR.Count > 7) StoreRow512(c70, c71, c + 7 * ldc, va, addC);
        }
        else
        {
            // lanes j < nr of the two 16-wide halves; masked loads and stores never touch C beyond column nr
            var lanes = Vector512<int>.Indices;
            Vector512<float> m0 = Vector512.LessThan(lanes, Vector512.Create(nr)).AsSingle();
            Vector512<float> m1 = Vector512.LessThan(lanes, Vector512.Create(nr - 16)).AsSingle();
            StoreRowPartial512(c00, c01, c + 0 * ldc, m0, m1, va, addC);
            if (TR.Count > 1) StoreRowPartial512(c10, c11, c + 1 * ldc, m0, m1, va, addC);
            if (TR.Count > 2) StoreRowPartial512(c20, c21, c + 2 * ldc, m0, m1, va, addC);
            if (TR.Count > 3) StoreRowPartial512(c30, c31, c + 3 * ldc, m0, m1, va, addC);
            if (TR.Count > 4) StoreRowPartial512(c40, c41, c + 4 * ldc, m0, m1, va, addC);
            if (TR.Count > 5) StoreRowPartial512(c50, c51, c + 5 * ldc, m0, m1, va, addC);
            if (TR.Count > 6) StoreRowPartial512(c60, c61, c + 6 * ldc, m0, m1, va, addC);
            if (TR.Count > 7) StoreRowPartial512(c70, c71, c + 7 * ldc, m0, m1, va, addC);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow512(Vector512<float> v0, Vector512<float> v1, float* c, Vector512<float> va, bool addC)
    {
        if (addC)
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(v0, va, Vector512.Load(c + 0)), c + 0);
            Vector512.Store(Avx512F.FusedMultiplyAdd(v1, va, Vector512.Load(c + 16)), c + 16);
        }
        else
        {
            Vector512.Store(v0 * va, c + 0);
            Vector512.Store(v1 * va, c + 16);
        }
    }

    /// <summary>
    /// Stores the first nr columns of a row (masks m0, m1): C = alpha·acc, or C + alpha·acc as a separate multiply
    /// and add, the rounding of the former scalar tail loop, so partial panels give the same bits as before.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRowPartial512(Vector512<float> v0, Vector512<float> v1, float* c, Vector512<float> m0, Vector512<float> m1,
        Vector512<float> va, bool addC)
    {
        if (addC)
        {
            Avx512F.MaskStore(c + 0, m0, Avx512F.MaskLoad(c + 0, m0, Vector512<float>.Zero) + v0 * va);
            Avx512F.MaskStore(c + 16, m1, Avx512F.MaskLoad(c + 16, m1, Vector512<float>.Zero) + v1 * va);
        }
        else
        {
            Avx512F.MaskStore(c + 0, m0, v0 * va);
            Avx512F.MaskStore(c + 16, m1, v1 * va);
        }
    }
}
