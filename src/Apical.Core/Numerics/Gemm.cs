using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

/// <summary>
/// Single-threaded float32 matrix products with register-blocked micro-kernels.
/// <para>
/// Layout: the right-hand operand is packed into 32-column panels (see <see cref="PackedMatrix"/>); the
/// left-hand operand is read in place through a (row stride, column stride) pair, so A and Aᵀ need no copy.
/// For every MR-row block of A and every panel of B a micro-kernel keeps an MR x NR tile of C in registers
/// across the k loop (k blocked by <see cref="KBlock"/> so the A block stays in L1), then writes
/// C = alpha·acc (+ C). Unpacked calls pack B into a per-thread scratch buffer that only grows.
/// </para>
/// </summary>
public static partial class Gemm
{
    /// <summary>Inner-dimension block: an 8 x 256 A block (8 KiB) stays in L1 while B panels stream from L2.</summary>
    internal const int KBlock = 256;

    private const int Panel = PackedMatrix.PanelWidth;

    private static GemmPath s_path = GemmPath.Auto;

    [ThreadStatic] private static float[]? t_scratch;
    [ThreadStatic] private static int t_scratchOffset;

    /// <summary>
    /// Forces a kernel path (tests, benchmarks). <see cref="GemmPath.Auto"/> picks the widest accelerated one.
    /// Setting a path the CPU cannot run throws <see cref="PlatformNotSupportedException"/>. Process-wide.
    /// </summary>
    public static GemmPath Path
    {
        get => s_path;
        set
        {
            if (!IsSupported(value))
                throw new PlatformNotSupportedException($"GEMM path {value} is not supported by this CPU/runtime");
            s_path = value;
        }
    }

    /// <summary>The path calls actually run with under the current <see cref="Path"/> setting.</summary>
    public static GemmPath ActivePath => s_path != GemmPath.Auto ? s_path : BestPath;

    /// <summary>The widest path this machine accelerates.</summary>
    public static GemmPath BestPath =>
        IsSupported(GemmPath.Vector512) ? GemmPath.Vector512 :
        IsSupported(GemmPath.Vector256) ? GemmPath.Vector256 : GemmPath.Scalar;

    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Auto or GemmPath.Scalar => true,
        GemmPath.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmPath.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        _ => false,
    };

    /// <summary>C(m x n) = alpha·A(m x k)·B(k x n) [+ C].</summary>
    public static void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate = false, float alpha = 1f)
    {
        Check(a, b, c);
        int m = a.Rows, k = a.Cols, n = b.Cols;
        if (b.Rows != k || c.Rows != m || c.Cols != n)
            throw Mismatch("MatMul (C = A·B)", a, b, c, "A m x k, B k x n, C m x n");
        PackAndRun(a, b, c, m, k, n, transposeB: false, rowStrideA: k, colStrideA: 1, alpha, accumulate);
    }

    /// <summary>C(m x n) = alpha·A(m x k)·Bᵀ [+ C], with B stored n x k (Y = X·Wᵀ, W out x in).</summary>
    public static void MatMulTransB(Tensor a, Tensor b, Tensor c, bool accumulate = false, float alpha = 1f)
    {
        Check(a, b, c);
        int m = a.Rows, k = a.Cols, n = b.Rows;
        if (b.Cols != k || c.Rows != m || c.Cols != n)
            throw Mismatch("MatMulTransB (C = A·Bᵀ)", a, b, c, "A m x k, B n x k, C m x n");
        PackAndRun(a, b, c, m, k, n, transposeB: true, rowStrideA: k, colStrideA: 1, alpha, accumulate);
    }

    /// <summary>C(m x n) = alpha·Aᵀ·B [+ C], with A stored k x m and B k x n (dW = δᵀ·X).</summary>
    public static void MatMulTransA(Tensor a, Tensor b, Tensor c, bool accumulate = false, float alpha = 1f)
    {
        Check(a, b, c);
        int k = a.Rows, m = a.Cols, n = b.Cols;
        if (b.Rows != k || c.Rows != m || c.Cols != n)
            throw Mismatch("MatMulTransA (C = Aᵀ·B)", a, b, c, "A k x m, B k x n, C m x n");
        PackAndRun(a, b, c, m, k, n, transposeB: false, rowStrideA: 1, colStrideA: m, alpha, accumulate);
    }

    /// <summary>Packs B (or Bᵀ) into the thread's scratch panels and runs the kernel over A read with the given strides.</summary>
    private static unsafe void PackAndRun(Tensor a, Tensor b, Tensor c, int m, int k, int n, bool transposeB,
        int rowStrideA, int colStrideA, float alpha, bool accumulate)
    {
        fixed (float* pb = b.Data)
        {
            float* packed = Scratch(k, n);
            if (transposeB) PackTransB(pb, k, n, packed);
            else PackB(pb, k, n, packed);
            fixed (float* pa = a.Data)
            fixed (float* pc = c.Data)
                Run(pa, rowStrideA, colStrideA, m, k, packed, n, pc, alpha, accumulate);
        }
    }

    /// <summary>
    /// C(m x n) = alpha·A(m x k)·op(B) [+ C] with a pre-packed right operand: op(B) = Wᵀ for
    /// <see cref="PackedMatrix.ForTransB"/>, B for <see cref="PackedMatrix.ForB"/>.
    /// </summary>
    public static void MatMul(Tensor a, PackedMatrix b, Tensor c, bool accumulate = false, float alpha = 1f)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (ReferenceEquals(a, c) || ReferenceEquals(a.Data, c.Data))
            throw new ArgumentException($"output {c} must not alias input A {a}", nameof(c));
        int m = a.Rows, k = a.Cols;
        if (b.K != k || c.Rows != m || c.Cols != b.N)
        {
            string bShape = b.Transposed ? $"packed Wᵀ of W {b.N}x{b.K}" : $"packed B {b.K}x{b.N}";
            throw new ArgumentException(
                $"MatMul shape mismatch: A is {a.Rows}x{a.Cols}, B is {bShape} ({b.K}x{b.N} as used), C is {c.Rows}x{c.Cols}; expected A m x k, B k x n, C m x n");
        }
        unsafe
        {
            fixed (float* pbuf = b.Buffer)
            fixed (float* pa = a.Data)
            fixed (float* pc = c.Data)
                Run(pa, k, 1, m, k, pbuf + b.Offset, b.N, pc, alpha, accumulate);
        }
    }

    private static void Check(Tensor a, Tensor b, Tensor c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (ReferenceEquals(c, a) || ReferenceEquals(c.Data, a.Data))
            throw new ArgumentException($"output {c} must not alias input A {a}", nameof(c));
        if (ReferenceEquals(c, b) || ReferenceEquals(c.Data, b.Data))
            throw new ArgumentException($"output {c} must not alias input B {b}", nameof(c));
    }

    private static ArgumentException Mismatch(string op, Tensor a, Tensor b, Tensor c, string expected) =>
        new($"{op} shape mismatch: A is {a.Rows}x{a.Cols}, B is {b.Rows}x{b.Cols}, C is {c.Rows}x{c.Cols}; expected {expected}");

    /// <summary>
    /// Core loop. A element (i, p) is at a[i*rsA + p*csA]; B is packed (k rows of 32-float panels);
    /// C is m x n row-major with stride n.
    /// </summary>
    private static unsafe void Run(float* a, nint rsA, nint csA, int m, int k, float* b, int n, float* c, float alpha, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) new Span<float>(c, m * n).Clear();
            return;
        }
        switch (ActivePath)
        {
            case GemmPath.Vector512: Run512(a, rsA, csA, m, k, b, n, c, alpha, accumulate); break;
            case GemmPath.Vector256: Run256(a, rsA, csA, m, k, b, n, c, alpha, accumulate); break;
            default: RunScalar(a, rsA, csA, m, k, b, n, c, alpha, accumulate); break;
        }
    }

    /// <summary>Returns an aligned per-thread scratch area for a packed k x n operand (grows, never shrinks).</summary>
    private static unsafe float* Scratch(int k, int n)
    {
        int need = checked(((n + Panel - 1) / Panel) * k * Panel);
        float[]? s = t_scratch;
        if (s is null || s.Length - t_scratchOffset < need)
        {
            s = AllocateAligned(Math.Max(need, 1024), out int off);
            t_scratch = s;
            t_scratchOffset = off;
        }
        // The array lives on the pinned object heap, so its address is stable.
        return (float*)Unsafe.AsPointer(ref s[0]) + t_scratchOffset;
    }

    /// <summary>Allocates a pinned array and the float offset at which it is 64-byte aligned.</summary>
    internal static unsafe float[] AllocateAligned(int length, out int offset)
    {
        var arr = GC.AllocateArray<float>(length + 16, pinned: true);
        nuint addr = (nuint)Unsafe.AsPointer(ref arr[0]);
        offset = (int)(((64 - (addr & 63)) & 63) / sizeof(float));
        return arr;
    }

    /// <summary>Packs B (k x n, row-major) into 32-column panels, zero-padding the last one.</summary>
    internal static unsafe void PackB(float* src, int k, int n, float* dst)
    {
        bool v512 = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        for (int j0 = 0; j0 < n; j0 += Panel)
        {
            int w = Math.Min(Panel, n - j0);
            float* s = src + j0;
            if (w == Panel && v512)
            {
                for (int p = 0; p < k; p++, s += n, dst += Panel)
                {
                    Vector512.Store(Vector512.Load(s), dst);
                    Vector512.Store(Vector512.Load(s + 16), dst + 16);
                }
            }
            else if (w == Panel)
            {
                for (int p = 0; p < k; p++, s += n, dst += Panel)
                    Buffer.MemoryCopy(s, dst, Panel * sizeof(float), Panel * sizeof(float));
            }
            else if (v512)
            {
                // masked loads read only the w columns of the panel and give zeros in the padding
                var lanes = Vector512<int>.Indices;
                Vector512<float> m0 = Vector512.LessThan(lanes, Vector512.Create(w)).AsSingle();
                Vector512<float> m1 = Vector512.LessThan(lanes, Vector512.Create(w - 16)).AsSingle();
                for (int p = 0; p < k; p++, s += n, dst += Panel)
                {
                    Vector512.Store(Avx512F.MaskLoad(s, m0, Vector512<float>.Zero), dst);
                    Vector512.Store(Avx512F.MaskLoad(s + 16, m1, Vector512<float>.Zero), dst + 16);
                }
            }
            else
            {
                for (int p = 0; p < k; p++, s += n, dst += Panel)
                {
                    int jj = 0;
                    for (; jj < w; jj++) dst[jj] = s[jj];
                    for (; jj < Panel; jj++) dst[jj] = 0f;
                }
            }
        }
    }

    /// <summary>Packs Wᵀ, W being n x k row-major, into 32-column panels (column j of the panel = row j of W).</summary>
    internal static unsafe void PackTransB(float* w, int k, int n, float* dst)
    {
        for (int j0 = 0; j0 < n; j0 += Panel)
        {
            int rows = Math.Min(Panel, n - j0);
            float* src = w + (nint)j0 * k;
            int p = 0;
            if (Avx.IsSupported)
            {
                // 8 x 8 blocks transposed in registers; rows past the end of W give the zero padding
                for (; p + 8 <= k; p += 8)
                    for (int g = 0; g < Panel; g += 8)
                        Transpose.Block8x8(src + (nint)g * k + p, k, dst + (nint)p * Panel + g, Panel, rows - g);
            }
            for (; p < k; p++)
            {
                float* d = dst + (nint)p * Panel;
                int jj = 0;
                for (; jj < rows; jj++) d[jj] = src[(nint)jj * k + p];
                for (; jj < Panel; jj++) d[jj] = 0f;
            }
            dst += (nint)k * Panel;
        }
    }
}
