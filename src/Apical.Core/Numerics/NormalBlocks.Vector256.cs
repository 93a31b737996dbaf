// The Vector256 path of NormalBlocks: 8 Philox blocks per iteration, one block per lane. Same operation sequence as
// NormalBlocks.Pair (scalar) so the results are bit-identical.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

public static partial class NormalBlocks
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fill256(uint k0, uint k1, uint s0, uint s1, ulong start, Span<float> dst, int m)
    {
        var lo = Vector256.Create((uint)start);
        var hi = Vector256.Create((uint)(start >> 32));
        fixed (float* d = dst)
        {
            for (int j = 0; j < m; j += 8)
            {
                var x0 = lo + Vector256<uint>.Indices + Vector256.Create((uint)j);
                var x1 = hi - Vector256.LessThan(x0, lo); // carry into the high word: the mask is −1
                var x2 = Vector256.Create(s0);
                var x3 = Vector256.Create(s1);
                Philox256(ref x0, ref x1, ref x2, ref x3, k0, k1);
                Pair256(x0, x1, d + j, d + m + j);
                Pair256(x2, x3, d + 2 * m + j, d + 3 * m + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Philox256(ref Vector256<uint> x0, ref Vector256<uint> x1, ref Vector256<uint> x2, ref Vector256<uint> x3, uint k0, uint k1)
    {
        var m0 = Vector256.Create(Philox.M0);
        var m1 = Vector256.Create(Philox.M1);
        var key0 = Vector256.Create(k0);
        var key1 = Vector256.Create(k1);
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                key0 += Vector256.Create(Philox.W0);
                key1 += Vector256.Create(Philox.W1);
            }
            var hi0 = MulHi256(x0, m0);
            var lo0 = x0 * m0;
            var hi1 = MulHi256(x2, m1);
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
    private static Vector256<uint> MulHi256(Vector256<uint> x, Vector256<uint> m)
    {
        var even = Avx2.Multiply(x, m);
        var odd = Avx2.Multiply(Vector256.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32(), m);
        var oddLanes = Vector256.Create(0xFFFFFFFF00000000UL).AsUInt32();
        return Vector256.ConditionalSelect(oddLanes, odd.AsUInt32(), Vector256.ShiftRightLogical(even, 32).AsUInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Pair256(Vector256<uint> xu, Vector256<uint> xw, float* cosOut, float* sinOut)
    {
        var rho = Radius256((Vector256.ShiftRightLogical(xu, 8) + Vector256<uint>.One).AsInt32());
        var w = Vector256.ShiftRightLogical(xw, 8).AsInt32();
        var q = Vector256.ShiftRightArithmetic(w + Vector256.Create(1 << 21), 22);
        var a = Vector256.ConvertToSingle(w - Vector256.ShiftLeft(q, 22)) * Vector256.Create(QuarterTurnScale);
        var a2 = a * a;
        var sin = a + a * (a2 * (((Vector256.Create(S9) * a2 + Vector256.Create(S7)) * a2 + Vector256.Create(S5)) * a2 + Vector256.Create(S3)));
        var cos = Vector256<float>.One + a2 * ((((Vector256.Create(C10) * a2 + Vector256.Create(C8)) * a2 + Vector256.Create(C6)) * a2
            + Vector256.Create(C4)) * a2 + Vector256.Create(C2));
        var swap = Vector256.Equals(q & Vector256<int>.One, Vector256<int>.One).AsSingle();
        var x = Vector256.ConditionalSelect(swap, sin, cos);
        var y = Vector256.ConditionalSelect(swap, cos, sin);
        var two = Vector256.Create(2);
        var signX = Vector256.ShiftLeft((q + Vector256<int>.One) & two, 30).AsSingle();
        var signY = Vector256.ShiftLeft(q & two, 30).AsSingle();
        Vector256.Store(rho * (x ^ signX), cosOut);
        Vector256.Store(rho * (y ^ signY), sinOut);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Radius256(Vector256<int> k)
    {
        var bits = (Vector256.ConvertToSingle(k) * Vector256.Create(TwoPowMinus24)).AsUInt32();
        var e = Vector256.ShiftRightLogical(bits, 23).AsInt32() - Vector256.Create(127);
        var mb = (bits & Vector256.Create(0x007FFFFFu)) | Vector256.Create(0x3F800000u);
        var big = Vector256.GreaterThan(mb, Vector256.Create(SqrtTwoBits));
        mb -= big & Vector256.Create(ExponentOne);
        e -= big.AsInt32();
        var mant = mb.AsSingle();
        var s = (mant - Vector256<float>.One) / (mant + Vector256<float>.One);
        var z = s * s;
        var t = s + s;
        var lnm = t + t * (z * (((Vector256.Create(L9) * z + Vector256.Create(L7)) * z + Vector256.Create(L5)) * z + Vector256.Create(L3)));
        var fe = Vector256.ConvertToSingle(e);
        var ln = fe * Vector256.Create(Ln2Hi) + (lnm + fe * Vector256.Create(Ln2Lo));
        return Vector256.Sqrt(ln * Vector256.Create(-2f));
    }
}
