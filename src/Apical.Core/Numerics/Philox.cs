using System.Runtime.CompilerServices;

namespace Apical.Core.Numerics;

/// <summary>
/// The Philox4x32-10 block function (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
/// 1, 2, 3", SC 2011): a keyed bijection of a 128-bit counter. Each of the 10 rounds multiplies counter
/// words 0 and 2 by fixed odd constants, keeps the 64-bit products' high and low halves, and mixes the high
/// halves with the other two words and the round key; the 64-bit key is bumped by Weyl constants between rounds.
/// </summary>
public static class Philox
{
    internal const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Encrypts counter (c0..c3) under key (k0, k1) in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ref uint c0, ref uint c1, ref uint c2, ref uint c3, uint k0, uint k1)
    {
        uint x0 = c0, x1 = c1, x2 = c2, x3 = c3;
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * x0;
            ulong p1 = (ulong)M1 * x2;
            uint y0 = (uint)(p1 >> 32) ^ x1 ^ k0;
            uint y1 = (uint)p1;
            uint y2 = (uint)(p0 >> 32) ^ x3 ^ k1;
            uint y3 = (uint)p0;
            x0 = y0; x1 = y1; x2 = y2; x3 = y3;
        }
        c0 = x0; c1 = x1; c2 = x2; c3 = x3;
    }
}
