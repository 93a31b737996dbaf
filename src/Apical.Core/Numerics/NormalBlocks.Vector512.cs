// The Vector512 path of NormalBlocks: 16 Philox blocks per iteration, one block per lane. Same operation sequence as
// NormalBlocks.Pair (scalar) so the results are bit-identical.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

public static partial class NormalBlocks
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fill512(uint k0, uint k1, uint s0, uint s1, ulong start, Span<float> dst, int m)
    {
        var lo = Vector512.Create((uint)start);
        var hi = Vector512.Create((uint)(start >> 32));
        fixed (float* d = dst)
        {
            for (int j = 0; j < m; j += 16)
            {
                var x0 = lo + Vector512<uint>.Indices + Vector512.Create((uint)j);
                var x1 = hi - Vector512.LessThan(x0, lo); // carry into the high word: the mask is −1
                var x2 = Vector512.Create(s0);
                var x3 = Vector512.Create(s1);
                Philox512(ref x0, ref x1, ref x2, ref x3, k0, k1);
                Pair512(x0, x1, d + j, d + m + j);
                Pair512(x2, x3, d + 2 * m + j, d + 3 * m + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Philox512(ref Vector512<uint> x0, ref Vector512<uint> x1, ref Vector512<uint> x2, ref Vector512<uint> x3, uint k0, uint k1)
    {
        var m0 = Vector512.Create(Philox.M0);
        var m1 = Vector512.Create(Philox.M1);
        var key0 = Vector512.Create(k0);
        var key1 = Vector512.Create(k1);
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                key0 += Vector512.Create(Philox.W0);
                key1 += Vector512.Create(Philox.W1);
            }
            var hi0 = MulHi512(x0, m0);
            var lo0 = x0 * m0;
            var hi1 = MulHi512(x2, m1);
            var lo1 = x2 * m1;
            var y0 = hi1 ^ x1 ^ key0;
            var y2 = hi0 ^ x3 ^ key1;
            x0 = y0;
            x1 = lo1;
            x2 = y2;
            x3 = lo0;
        }
    }

    /// <summary>High 32 bits of the 64-bit products x·m per lane (even lanes and odd lanes by two 32 x 32 → 64 multiplies).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> MulHi512(Vector512<uint> x, Vector512<uint> m)
    {
        var even = Avx512F.Multiply(x, m);
        var odd = Avx512F.Multiply(Vector512.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32(), m);
        var oddLanes = Vector512.Create(0xFFFFFFFF00000000UL).AsUInt32();
        return Vector512.ConditionalSelect(oddLanes, odd.AsUInt32(), Vector512.ShiftRightLogical(even, 32).AsUInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Pair512(Vector512<uint> xu, Vector512<uint> xw, float* cosOut, float* sinOut)
    {
        var rho = Radius512((Vector512.ShiftRightLogical(xu, 8) + Vector512<uint>.One).AsInt32());
        var w = Vector512.ShiftRightLogical(xw, 8).AsInt32();
        var q = Vector512.ShiftRightArithmetic(w + Vector512.Create(1 << 21), 22);
        var a = Vector512.ConvertToSingle(w - Vector512.ShiftLeft(q, 22)) * Vector512.Create(QuarterTurnScale);
        var a2 = a * a;
        var sin = a + a * (a2 * (((Vector512.Create(S9) * a2 + Vector512.Create(S7)) * a2 + Vector512.Create(S5)) * a2 + Vector512.Create(S3)));
        var cos = Vector512<float>.One + a2 * ((((Vector512.Create(C10) * a2 + Vector512.Create(C8)) * a2 + Vector512.Create(C6)) * a2
            + Vector512.Create(C4)) * a2 + Vector512.Create(C2));
        var swap = Vector512.Equals(q & Vector512<int>.One, Vector512<int>.One).AsSingle();
        var x = Vector512.ConditionalSelect(swap, sin, cos);
        var y = Vector512.ConditionalSelect(swap, cos, sin);
        var two = Vector512.Create(2);
        var signX = Vector512.ShiftLeft((q + Vector512<int>.One) & two, 30).AsSingle();
        var signY = Vector512.ShiftLeft(q & two, 30).AsSingle();
        Vector512.Store(rho * (x ^ signX), cosOut);
        Vector512.Store(rho * (y ^ signY), sinOut);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Radius512(Vector512<int> k)
    {
        var bits = (Vector512.ConvertToSingle(k) * Vector512.Create(TwoPowMinus24)).AsUInt32();
        var e = Vector512.ShiftRightLogical(bits, 23).AsInt32() - Vector512.Create(127);
        var mb = (bits & Vector512.Create(0x007FFFFFu)) | Vector512.Create(0x3F800000u);
        var big = Vector512.GreaterThan(mb, Vector512.Create(SqrtTwoBits));
        mb -= big & Vector512.Create(ExponentOne);
        e -= big.AsInt32();
        var mant = mb.AsSingle();
        var s = (mant - Vector512<float>.One) / (mant + Vector512<float>.One);
        var z = s * s;
        var t = s + s;
        var lnm = t + t * (z * (((Vector512.Create(L9) * z + Vector512.Create(L7)) * z + Vector512.Create(L5)) * z + Vector512.Create(L3)));
        var fe = Vector512.ConvertToSingle(e);
        var ln = fe * Vector512.Create(Ln2Hi) + (lnm + fe * Vector512.Create(Ln2Lo));
        return Vector512.Sqrt(ln * Vector512.Create(-2f));
    }
}
