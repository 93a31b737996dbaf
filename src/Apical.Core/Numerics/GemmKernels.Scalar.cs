using System.Runtime.CompilerServices;

namespace Apical.Core.Numerics;

// Portable scalar path: 4 x 4 tiles of C kept in 16 scalar registers across the k loop.
public static partial class Gemm
{
    private const int MRScalar = 4;
    private const int NRScalar = 4;

    private static unsafe void RunScalar(float* a, nint rsA, nint csA, int m, int k, float* b, int n, float* c, float alpha, bool accumulate)
    {
        for (int pc = 0; pc < k; pc += KBlock)
        {
            int kc = Math.Min(KBlock, k - pc);
            bool addC = accumulate || pc > 0;
            for (int i0 = 0; i0 < m; i0 += MRScalar)
            {
                int mr = Math.Min(MRScalar, m - i0);
                float* ai = a + i0 * rsA + pc * csA;
                float* ci = c + (nint)i0 * n;
                for (int j0 = 0; j0 < n; j0 += NRScalar)
                {
                    int nr = Math.Min(NRScalar, n - j0);
                    float* bj = b + (nint)(j0 / Panel) * k * Panel + (nint)pc * Panel + (j0 % Panel);
                    float* cij = ci + j0;
                    switch (mr)
                    {
                        case 4: KernelScalar<Rows4>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 3: KernelScalar<Rows3>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 2: KernelScalar<Rows2>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                        case 1: KernelScalar<Rows1>(kc, ai, rsA, csA, bj, cij, n, nr, alpha, addC); break;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void KernelScalar<TR>(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int nr, float alpha, bool addC)
        where TR : struct, IRowCount
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        nint o1 = rsA, o2 = 2 * rsA, o3 = 3 * rsA;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float x = a[0];
            c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            if (TR.Count > 1) { x = a[o1]; c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3; }
            if (TR.Count > 2) { x = a[o2]; c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3; }
            if (TR.Count > 3) { x = a[o3]; c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3; }
            a += csA;
            b += Panel;
        }
        StoreScalar(c, nr, alpha, addC, c00, c01, c02, c03);
        if (TR.Count > 1) StoreScalar(c + ldc, nr, alpha, addC, c10, c11, c12, c13);
        if (TR.Count > 2) StoreScalar(c + 2 * ldc, nr, alpha, addC, c20, c21, c22, c23);
        if (TR.Count > 3) StoreScalar(c + 3 * ldc, nr, alpha, addC, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreScalar(float* c, int nr, float alpha, bool addC, float v0, float v1, float v2, float v3)
    {
        if (addC)
        {
            c[0] += alpha * v0;
            if (nr > 1) c[1] += alpha * v1;
            if (nr > 2) c[2] += alpha * v2;
            if (nr > 3) c[3] += alpha * v3;
        }
        else
        {
            c[0] = alpha * v0;
            if (nr > 1) c[1] = alpha * v1;
            if (nr > 2) c[2] = alpha * v2;
            if (nr > 3) c[3] = alpha * v3;
        }
    }
}
