namespace Apical.Core.Data;

/// <summary>
/// The small deterministic generator used by the data layer (shuffling, synthetic tasks): xoshiro256**
/// whose 256-bit state is filled by SplitMix64 from a key mixed out of (seed, purpose, stream). The same
/// key always yields the same sequence on every platform, so data order and generated data sets depend
/// only on the configured seed. A mutable struct: keep it in a local or a non-readonly field, never copy it mid-stream.
/// </summary>
internal struct DataRng
{
    /// <summary>Purposes keep independent streams apart even under the same seed.</summary>
    internal const ulong PurposeShuffle = 0x5348_5546_464C_4500UL;     // "SHUFFLE"
    internal const ulong PurposeTeacherWeights = 0x5445_4143_4857_0000UL;
    internal const ulong PurposeTrainInputs = 0x5452_4149_4E49_0000UL;
    internal const ulong PurposeTestInputs = 0x5445_5354_494E_0000UL;
    internal const ulong PurposeNoise = 0x4E4F_4953_4500_0000UL;

    private ulong _s0, _s1, _s2, _s3;

    public DataRng(ulong seed, ulong purpose, ulong stream)
    {
        // Fold the three key parts through SplitMix64 so that nearby keys give unrelated states.
        ulong key = seed;
        key = SplitMix64(ref key) ^ purpose;
        key = SplitMix64(ref key) ^ stream;
        ulong sm = SplitMix64(ref key);
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1; // the all-zero state is a fixed point
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), $"bound {bound} must be positive");
        ulong b = (ulong)bound;
        UInt128 m = (UInt128)NextUInt64() * b;
        ulong low = (ulong)m;
        if (low < b)
        {
            ulong threshold = (0UL - b) % b;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * b;
                low = (ulong)m;
            }
        }
        return (int)(ulong)(m >> 64);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal sample (Box–Muller; one value per call, no cached spare, so the stream
    /// position after n calls is always 2n draws).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
