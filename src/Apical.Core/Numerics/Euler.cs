using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Apical.Core.Numerics;

/// <summary>
/// Forward-Euler relaxation of leaky compartments, x ← x + g (target − x), vectorised. Every lane computes exactly
/// the scalar expression (an add, a subtract, a multiply, an add; no fused multiply-add), so results are the same bits
/// at every SIMD width and in the scalar tail.
/// </summary>
public static class Euler
{
    /// <summary>x[i] ← x[i] + g (t[i] − x[i]).</summary>
    public static void Relax(Span<float> x, ReadOnlySpan<float> t, float g)
    {
        if (t.Length != x.Length) throw new ArgumentException($"target length {t.Length} differs from state length {x.Length}", nameof(t));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float tr = ref MemoryMarshal.GetReference(t);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var gv = Vector512.Create(g);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var xv = Vector512.LoadUnsafe(ref xr, (nuint)i);
                (xv + gv * (Vector512.LoadUnsafe(ref tr, (nuint)i) - xv)).StoreUnsafe(ref xr, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var gv = Vector256.Create(g);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                (xv + gv * (Vector256.LoadUnsafe(ref tr, (nuint)i) - xv)).StoreUnsafe(ref xr, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref xr, i) += g * (Unsafe.Add(ref tr, i) - Unsafe.Add(ref xr, i));
    }

    /// <summary>x[i] ← x[i] + g ((a[i] + b[i]) − x[i]): a compartment driven by the sum of two inputs.</summary>
    public static void Relax(Span<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float g)
    {
        if (a.Length != x.Length || b.Length != x.Length)
            throw new ArgumentException($"input lengths {a.Length} and {b.Length} differ from state length {x.Length}");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var gv = Vector512.Create(g);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var xv = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var sum = Vector512.LoadUnsafe(ref ar, (nuint)i) + Vector512.LoadUnsafe(ref br, (nuint)i);
                (xv + gv * (sum - xv)).StoreUnsafe(ref xr, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var gv = Vector256.Create(g);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var sum = Vector256.LoadUnsafe(ref ar, (nuint)i) + Vector256.LoadUnsafe(ref br, (nuint)i);
                (xv + gv * (sum - xv)).StoreUnsafe(ref xr, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref xr, i) += g * (Unsafe.Add(ref ar, i) + Unsafe.Add(ref br, i) - Unsafe.Add(ref xr, i));
    }
}
