using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public enum GemmVariant { MatMul, TransB, TransA, PackedTransB, PackedB }

/// <summary>Naive double-precision reference and comparison for the GEMM tests.</summary>
internal static class GemmReference
{
    /// <summary>Relative tolerance against Σ|alpha·a·b| + |c0|: float32 error grows at most ~k·eps.</summary>
    public const double RelTol = 3e-5;

    /// <summary>A tensor whose backing array is longer than Rows*Cols, the tail filled with <paramref name="tail"/>.</summary>
    public static Tensor Random(int rows, int cols, Random rnd, float tail = float.NaN)
    {
        var data = new float[rows * cols + 5];
        for (int i = 0; i < data.Length; i++) data[i] = i < rows * cols ? (float)(rnd.NextDouble() * 2 - 1) : tail;
        return new Tensor(rows, cols, data);
    }

    /// <summary>Logical operand element op(A)[i, p] / op(B)[p, j] for each variant.</summary>
    public static (Func<int, int, float> a, Func<int, int, float> b) Ops(GemmVariant v, Tensor a, Tensor b) => v switch
    {
        GemmVariant.MatMul or GemmVariant.PackedB => ((i, p) => a[i, p], (p, j) => b[p, j]),
        GemmVariant.TransB or GemmVariant.PackedTransB => ((i, p) => a[i, p], (p, j) => b[j, p]),
        GemmVariant.TransA => ((i, p) => a[p, i], (p, j) => b[p, j]),
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    /// <summary>Operand tensors for a logical m x k by k x n product.</summary>
    public static (Tensor a, Tensor b) Operands(GemmVariant v, int m, int n, int k, Random rnd) => v switch
    {
        GemmVariant.MatMul or GemmVariant.PackedB => (Random(m, k, rnd), Random(k, n, rnd)),
        GemmVariant.TransB or GemmVariant.PackedTransB => (Random(m, k, rnd), Random(n, k, rnd)),
        GemmVariant.TransA => (Random(k, m, rnd), Random(k, n, rnd)),
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    public static void Invoke(GemmVariant v, Tensor a, Tensor b, Tensor c, bool accumulate, float alpha)
    {
        switch (v)
        {
            case GemmVariant.MatMul: Gemm.MatMul(a, b, c, accumulate, alpha); break;
            case GemmVariant.TransB: Gemm.MatMulTransB(a, b, c, accumulate, alpha); break;
            case GemmVariant.TransA: Gemm.MatMulTransA(a, b, c, accumulate, alpha); break;
            case GemmVariant.PackedTransB: Gemm.MatMul(a, PackedMatrix.ForTransB(b), c, accumulate, alpha); break;
            case GemmVariant.PackedB: Gemm.MatMul(a, PackedMatrix.ForB(b), c, accumulate, alpha); break;
        }
    }

    /// <summary>Runs one product and checks every element against the double reference and the untouched tail.</summary>
    public static void Check(GemmVariant v, int m, int n, int k, bool accumulate, float alpha, Random rnd)
    {
        (Tensor a, Tensor b) = Operands(v, m, n, k, rnd);
        const float sentinel = 12345f;
        Tensor c = Random(m, n, rnd, sentinel);
        float[] c0 = (float[])c.Data.Clone();
        (Func<int, int, float> opA, Func<int, int, float> opB) = Ops(v, a, b);

        Invoke(v, a, b, c, accumulate, alpha);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, mag = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = (double)opA(i, p) * opB(p, j);
                    sum += t;
                    mag += Math.Abs(t);
                }
                double prior = accumulate ? c0[i * n + j] : 0;
                double expected = alpha * sum + prior;
                double tol = RelTol * (Math.Abs(alpha) * mag + Math.Abs(prior)) + 1e-30;
                double got = c[i, j];
                if (!(Math.Abs(got - expected) <= tol))
                    Assert.Fail($"{v} m={m} n={n} k={k} accumulate={accumulate} alpha={alpha} path={Gemm.ActivePath}: " +
                                $"C[{i},{j}] = {got}, expected {expected} (tolerance {tol})");
            }
        }
        for (int i = m * n; i < c.Data.Length; i++)
            Assert.True(c.Data[i] == sentinel, $"{v} m={m} n={n} k={k}: wrote past the logical end of C at {i}");
    }
}
