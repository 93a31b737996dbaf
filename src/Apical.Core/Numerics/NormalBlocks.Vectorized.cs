// The vector paths of NormalBlocks: one Philox block per lane, written once over ILanes (Vector512 or Vector256).
// Same operation sequence as NormalBlocks.Pair (scalar), so every path gives the same bits.
using System.Runtime.CompilerServices;

namespace Apical.Core.Numerics;

public static partial class NormalBlocks
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FillLanes<L, V>(uint k0, uint k1, uint s0, uint s1, ulong start, Span<float> dst, int m)
        where L : struct, ILanes<V> where V : struct
    {
        V lo = L.Broadcast((uint)start), hi = L.Broadcast((uint)(start >> 32));
        fixed (float* d = dst)
        {
            for (int j = 0; j < m; j += L.Count)
            {
                V x0 = L.Add(lo, L.Add(L.Indices, L.Broadcast((uint)j)));
                V x1 = L.Sub(hi, L.LessThan(x0, lo)); // carry into the high word: the mask is −1
                V x2 = L.Broadcast(s0), x3 = L.Broadcast(s1);
                PhiloxLanes<L, V>(ref x0, ref x1, ref x2, ref x3, k0, k1);
                PairLanes<L, V>(x0, x1, d + j, d + m + j);
                PairLanes<L, V>(x2, x3, d + 2 * m + j, d + 3 * m + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PhiloxLanes<L, V>(ref V x0, ref V x1, ref V x2, ref V x3, uint k0, uint k1)
        where L : struct, ILanes<V> where V : struct
    {
        V m0 = L.Broadcast(Philox.M0), m1 = L.Broadcast(Philox.M1);
        for (int round = 0; round < 10; round++)
        {
            V key0 = L.Broadcast(k0 + (uint)round * Philox.W0), key1 = L.Broadcast(k1 + (uint)round * Philox.W1);
            V hi0 = L.MulHigh(x0, m0), lo0 = L.MulLow(x0, m0);
            V hi1 = L.MulHigh(x2, m1), lo1 = L.MulLow(x2, m1);
            V y0 = L.Xor(L.Xor(hi1, x1), key0);
            V y2 = L.Xor(L.Xor(hi0, x3), key1);
            x0 = y0;
            x1 = lo1;
            x2 = y2;
            x3 = lo0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PairLanes<L, V>(V xu, V xw, float* cosOut, float* sinOut) where L : struct, ILanes<V> where V : struct
    {
        V rho = RadiusLanes<L, V>(L.Add(L.ShiftRight(xu, 8), L.Broadcast(1u)));
        V w = L.ShiftRight(xw, 8);
        V q = L.ShiftRight(L.Add(w, L.Broadcast(1u << 21)), 22);
        V a = L.Mul(L.ToFloat(L.Sub(w, L.ShiftLeft(q, 22))), L.Float(QuarterTurnScale));
        V a2 = L.Mul(a, a);
        V sin = L.AddF(a, L.Mul(a, L.Mul(a2, Horner<L, V>(a2, S9, S7, S5, S3))));
        V cos = L.AddF(L.Float(1f), L.Mul(a2, L.AddF(L.Mul(Horner<L, V>(a2, C10, C8, C6, C4), a2), L.Float(C2))));
        V swap = L.Equal(L.And(q, L.Broadcast(1u)), L.Broadcast(1u));
        V x = L.Select(swap, sin, cos), y = L.Select(swap, cos, sin);
        V signX = L.ShiftLeft(L.And(L.Add(q, L.Broadcast(1u)), L.Broadcast(2u)), 30);
        V signY = L.ShiftLeft(L.And(q, L.Broadcast(2u)), 30);
        L.Store(L.Mul(rho, L.Xor(x, signX)), cosOut);
        L.Store(L.Mul(rho, L.Xor(y, signY)), sinOut);
    }

    /// <summary>((c0·z + c1)·z + c2)·z + c3, multiply then add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Horner<L, V>(V z, float c0, float c1, float c2, float c3) where L : struct, ILanes<V> where V : struct =>
        L.AddF(L.Mul(L.AddF(L.Mul(L.AddF(L.Mul(L.Float(c0), z), L.Float(c1)), z), L.Float(c2)), z), L.Float(c3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V RadiusLanes<L, V>(V k) where L : struct, ILanes<V> where V : struct
    {
        V bits = L.Mul(L.ToFloat(k), L.Float(TwoPowMinus24));
        V e = L.Sub(L.ShiftRight(bits, 23), L.Broadcast(127u));
        V mb = L.Or(L.And(bits, L.Broadcast(0x007FFFFFu)), L.Broadcast(0x3F800000u));
        V big = L.GreaterThan(mb, L.Broadcast(SqrtTwoBits));
        mb = L.Sub(mb, L.And(big, L.Broadcast(ExponentOne)));
        e = L.Sub(e, big);
        V s = L.Div(L.SubF(mb, L.Float(1f)), L.AddF(mb, L.Float(1f)));
        V z = L.Mul(s, s);
        V t = L.AddF(s, s);
        V lnm = L.AddF(t, L.Mul(t, L.Mul(z, Horner<L, V>(z, L9, L7, L5, L3))));
        V fe = L.ToFloat(e);
        V ln = L.AddF(L.Mul(fe, L.Float(Ln2Hi)), L.AddF(lnm, L.Mul(fe, L.Float(Ln2Lo))));
        return L.Sqrt(L.Mul(ln, L.Float(-2f)));
    }
}
