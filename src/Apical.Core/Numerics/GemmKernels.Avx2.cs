// Micro-kernel for the Vector256 + FMA path. The per-row code is regular by design; rows beyond TR.Count are
// removed by the JIT because TR.Count is a constant in each generic specialisation.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

public static partial class Gemm
{
    private const int MR256 = 6;
    private const int NR256 = 16;

    /// <summary>Driver for the Vector256 path: 6 x 16 tiles (12 accumulators).</summary>
    private static unsafe void Run256(float* a, nint rsA, nint csA, int m, int k, float* b, int n, float* c, float alpha, bool accumulate)
    {
        for (int pc = 0; pc < k; pc += KBlock)
        {
            int kc = Math.Min(KBlock, k - pc);
            bool addC = accumulate || pc > 0;
            for (int i0 = 0; i0 < m; i0 += MR256)
            {
                int mr = Math.Min(MR256, m - i0);
                float* ai = a + i0 * rsA + pc * csA;
                float* ci = c + (nint)i0 * n;
                for (int j0 = 0; j0 < n; j0 += NR256)
                {
                    int nr = Math.Min(NR256, n - j0);
                    float* bj = b + (nint)(j0 / Panel) * k * Panel + (nint)pc * Panel + (j0 % Panel);
                    float* cij = ci + j0;
                    switch (mr)
                    {
                        case 6: Kernel256<Rows6>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 5: Kernel256<Rows5>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 4: Kernel256<Rows4>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 3: Kernel256<Rows3>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 2: Kernel256<Rows2>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 1: Kernel256<Rows1>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel256<TR>(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int nr, float alpha, bool addC)
        where TR : struct, IRowCount
    {
        Vector256<float> c00 = default; Vector256<float> c01 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default;
        nint o1 = 1 * rsA; nint o2 = 2 * rsA; nint o3 = 3 * rsA; nint o4 = 4 * rsA; nint o5 = 5 * rsA;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            if (TR.Count > 1)
            {
                x = Vector256.Create(a[o1]);
                c10 = Fma.MultiplyAdd(x, b0, c10);
                c11 = Fma.MultiplyAdd(x, b1, c11);
            }
            if (TR.Count > 2)
            {
                x = Vector256.Create(a[o2]);
                c20 = Fma.MultiplyAdd(x, b0, c20);
                c21 = Fma.MultiplyAdd(x, b1, c21);
            }
            if (TR.Count > 3)
            {
                x = Vector256.Create(a[o3]);
                c30 = Fma.MultiplyAdd(x, b0, c30);
                c31 = Fma.MultiplyAdd(x, b1, c31);
            }
            if (TR.Count > 4)
            {
                x = Vector256.Create(a[o4]);
                c40 = Fma.MultiplyAdd(x, b0, c40);
                c41 = Fma.MultiplyAdd(x, b1, c41);
            }
            if (TR.Count > 5)
            {
                x = Vector256.Create(a[o5]);
                c50 = Fma.MultiplyAdd(x, b0, c50);
                c51 = Fma.MultiplyAdd(x, b1, c51);
            }
            a += csA;
            b += Panel;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (nr == NR256)
        {
            StoreRow256(c00, c01, c + 0 * ldc, va, addC);
            if (TR.Count > 1) StoreRow256(c10, c11, c + 1 * ldc, va, addC);
            if (TR.Count > 2) StoreRow256(c20, c21, c + 2 * ldc, va, addC);
            if (TR.Count > 3) StoreRow256(c30, c31, c + 3 * ldc, va, addC);
            if (TR.Count > 4) StoreRow256(c40, c41, c + 4 * ldc, va, addC);
            if (TR.Count > 5) StoreRow256(c50, c51, c + 5 * ldc, va, addC);
        }
        else
        {
            // lanes j < nr of the two 8-wide halves (sign bit set); masked loads and stores never touch C beyond column nr
            var lanes = Vector256<int>.Indices;
            Vector256<float> m0 = Vector256.LessThan(lanes, Vector256.Create(nr)).AsSingle();
            Vector256<float> m1 = Vector256.LessThan(lanes, Vector256.Create(nr - 8)).AsSingle();
            StoreRowPartial256(c00, c01, c + 0 * ldc, m0, m1, va, addC);
            if (TR.Count > 1) StoreRowPartial256(c10, c11, c + 1 * ldc, m0, m1, va, addC);
            if (TR.Count > 2) StoreRowPartial256(c20, c21, c + 2 * ldc, m0, m1, va, addC);
            if (TR.Count > 3) StoreRowPartial256(c30, c31, c + 3 * ldc, m0, m1, va, addC);
            if (TR.Count > 4) StoreRowPartial256(c40, c41, c + 4 * ldc, m0, m1, va, addC);
            if (TR.Count > 5) StoreRowPartial256(c50, c51, c + 5 * ldc, m0, m1, va, addC);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow256(Vector256<float> v0, Vector256<float> v1, float* c, Vector256<float> va, bool addC)
    {
        if (addC)
        {
            Vector256.Store(Fma.MultiplyAdd(v0, va, Vector256.Load(c + 0)), c + 0);
            Vector256.Store(Fma.MultiplyAdd(v1, va, Vector256.Load(c + 8)), c + 8);
        }
        else
        {
            Vector256.Store(v0 * va, c + 0);
            Vector256.Store(v1 * va, c + 8);
        }
    }

    /// <summary>
    /// Stores the first nr columns of a row (masks m0, m1): C = alpha·acc, or C + alpha·acc as a separate multiply
    /// and add, the rounding of the former scalar tail loop, so partial panels give the same bits as before.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRowPartial256(Vector256<float> v0, Vector256<float> v1, float* c, Vector256<float> m0, Vector256<float> m1,
        Vector256<float> va, bool addC)
    {
        if (addC)
        {
            Avx.MaskStore(c + 0, m0, Avx.MaskLoad(c + 0, m0) + v0 * va);
            Avx.MaskStore(c + 8, m1, Avx.MaskLoad(c + 8, m1) + v1 * va);
        }
        else
        {
            Avx.MaskStore(c + 0, m0, v0 * va);
            Avx.MaskStore(c + 8, m1, v1 * va);
        }
    }
}
