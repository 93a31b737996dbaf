using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apical.Core.Numerics;

/// <summary>
/// Element-wise and row-wise float32 helpers used by the learning rules. Built on
/// <see cref="TensorPrimitives"/> (vectorised); none allocates. Span arguments must have equal lengths
/// (TensorPrimitives throws otherwise); destinations may alias sources of the same length.
/// </summary>
public static class Ops
{
    /// <summary>Adds <paramref name="bias"/> (length Cols) to every row of <paramref name="c"/>.</summary>
    public static void AddRowVector(Tensor c, ReadOnlySpan<float> bias)
    {
        if (bias.Length != c.Cols)
            throw new ArgumentException($"bias of length {bias.Length} does not match a {c.Rows}x{c.Cols} tensor", nameof(bias));
        for (int r = 0; r < c.Rows; r++)
        {
            Span<float> row = c.Row(r);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>dst[j] (+)= Σ_r a[r, j]: the sum over batch rows (bias gradient).</summary>
    public static void SumRows(Tensor a, Span<float> dst, bool accumulate = false)
    {
        if (dst.Length != a.Cols)
            throw new ArgumentException($"destination of length {dst.Length} does not match a {a.Rows}x{a.Cols} tensor", nameof(dst));
        if (!accumulate) dst.Clear();
        for (int r = 0; r < a.Rows; r++)
            TensorPrimitives.Add(dst, a.Row(r), dst);
    }

    public static void Tanh(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Tanh(x, dst);

    /// <summary>dst = 1 - y², the derivative of tanh expressed through its output y = tanh(x).</summary>
    public static void TanhDerivativeFromOutput(ReadOnlySpan<float> y, Span<float> dst)
    {
        // -(y·y - 1)
        TensorPrimitives.MultiplyAdd(y, y, -1f, dst);
        TensorPrimitives.Negate(dst, dst);
    }

    /// <summary>dst = 1 / (1 + e^-x).</summary>
    public static void Logistic(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Sigmoid(x, dst);

    /// <summary>dst = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Max(x, 0f, dst);

    /// <summary>dst = x &gt; 0 ? 1 : 0 (x is the pre-activation or the ReLU output; both give the same mask).</summary>
    public static void ReluDerivative(ReadOnlySpan<float> x, Span<float> dst)
    {
        CheckLength(x.Length, dst.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ds = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> one = Vector256<float>.One;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xs, (nuint)i);
                (Vector256.GreaterThan(v, Vector256<float>.Zero) & one).StoreUnsafe(ref ds, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            Unsafe.Add(ref ds, i) = Unsafe.Add(ref xs, i) > 0f ? 1f : 0f;
    }

    /// <summary>dst = x &gt; 0 ? grad : 0 — back-propagation through a ReLU in one pass.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> grad, Span<float> dst)
    {
        CheckLength(x.Length, dst.Length);
        CheckLength(grad.Length, dst.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float gs = ref MemoryMarshal.GetReference(grad);
        ref float ds = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xs, (nuint)i);
                Vector256<float> g = Vector256.LoadUnsafe(ref gs, (nuint)i);
                (Vector256.GreaterThan(v, Vector256<float>.Zero) & g).StoreUnsafe(ref ds, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            Unsafe.Add(ref ds, i) = Unsafe.Add(ref xs, i) > 0f ? Unsafe.Add(ref gs, i) : 0f;
    }

    /// <summary>dst = s·x.</summary>
    public static void Scale(ReadOnlySpan<float> x, float s, Span<float> dst) => TensorPrimitives.Multiply(x, s, dst);

    /// <summary>x *= s in place.</summary>
    public static void Scale(Span<float> x, float s) => TensorPrimitives.Multiply(x, s, x);

    /// <summary>y += a·x.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>dst = x ⊙ y (element-wise product).</summary>
    public static void Hadamard(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Multiply(x, y, dst);

    /// <summary>Euclidean norm sqrt(Σ x²).</summary>
    public static float L2Norm(ReadOnlySpan<float> x) => TensorPrimitives.Norm(x);

    /// <summary>dst[r] = index of the largest element of row r (first one on ties; -1 for an empty row).</summary>
    public static void ArgMaxRows(Tensor a, Span<int> dst)
    {
        if (dst.Length != a.Rows)
            throw new ArgumentException($"destination of length {dst.Length} does not match a {a.Rows}x{a.Cols} tensor", nameof(dst));
        for (int r = 0; r < a.Rows; r++)
            dst[r] = TensorPrimitives.IndexOfMax<float>(a.Row(r));
    }

    private static void CheckLength(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"span lengths differ: {source} vs {destination}");
    }
}
