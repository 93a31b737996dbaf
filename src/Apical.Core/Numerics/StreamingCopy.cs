using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

/// <summary>
/// Copies with non-temporal stores: the destination bypasses this core's caches. For data that another thread
/// consumes later (the DFC forward rule's chunk stacks, read by its worker), so writing it does not evict what this
/// thread reuses every step (the weights). Non-temporal stores are weakly ordered: call <see cref="Fence"/> before
/// handing the data to another thread.
/// </summary>
public static class StreamingCopy
{
    public static unsafe void Copy(ReadOnlySpan<float> src, Span<float> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination shorter than source", nameof(dst));
        int n = src.Length;
        if (!Avx512F.IsSupported || n < 16)
        {
            src.CopyTo(dst);
            return;
        }
        fixed (float* s = src)
        fixed (float* d = dst)
        {
            int i = 0;
            while (i < n && ((nuint)(d + i) & 63) != 0) { d[i] = s[i]; i++; }
            for (; i + 16 <= n; i += 16) Avx512F.StoreAlignedNonTemporal(d + i, Avx512F.LoadVector512(s + i));
            for (; i < n; i++) d[i] = s[i];
        }
    }

    /// <summary>Makes every earlier non-temporal store visible before any later store (SFENCE).</summary>
    public static void Fence()
    {
        if (Sse.IsSupported) Sse.StoreFence();
        else Interlocked.MemoryBarrier();
    }
}
