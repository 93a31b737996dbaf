using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class CounterRngTests
{
    /// <summary>
    /// Known-answer vectors for Philox4x32-10 from the Random123 distribution's tests/kat_vectors
    /// (counter words 0-3, key words 0-1, output words 0-3).
    /// </summary>
    [Theory]
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void PhiloxKnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        Philox.Block(ref c0, ref c1, ref c2, ref c3, k0, k1);
        Assert.Equal(new[] { e0, e1, e2, e3 }, new[] { c0, c1, c2, c3 });
    }

    [Fact]
    public void OutputsAreThePhiloxBlocksOfSeedStreamAndCounter()
    {
        ulong seed = 0x0123456789ABCDEF, stream = 0xFEDCBA9876543210, counter = 41;
        var rng = new CounterRng(seed, stream, counter);
        for (ulong block = counter; block < counter + 3; block++)
        {
            uint c0 = (uint)block, c1 = (uint)(block >> 32), c2 = (uint)stream, c3 = (uint)(stream >> 32);
            Philox.Block(ref c0, ref c1, ref c2, ref c3, (uint)seed, (uint)(seed >> 32));
            Assert.Equal(c0, rng.NextUInt());
            Assert.Equal(c1, rng.NextUInt());
            Assert.Equal(c2, rng.NextUInt());
            Assert.Equal(c3, rng.NextUInt());
        }
        Assert.Equal(counter + 3, rng.Counter);
    }

    [Fact]
    public void SameKeyGivesSameStream()
    {
        var a = new CounterRng(42, 7, 3);
        var b = new CounterRng(42, 7, 3);
        for (int i = 0; i < 1000; i++) Assert.Equal(a.NextUInt(), b.NextUInt());
        var fa = new float[333];
        var fb = new float[333];
        a.FillNormal(fa, 1f, 2f);
        b.FillNormal(fb, 1f, 2f);
        Assert.Equal(fa, fb);
    }

    [Fact]
    public void CounterSkipsWholeBlocks()
    {
        var a = new CounterRng(9, 1, 0);
        for (int i = 0; i < 20; i++) a.NextUInt();
        var b = new CounterRng(9, 1, 5);
        for (int i = 0; i < 40; i++) Assert.Equal(a.NextUInt(), b.NextUInt());
    }

    [Theory]
    [InlineData(1ul, 0ul, 0ul, 1ul, 1ul, 0ul)] // different stream
    [InlineData(1ul, 0ul, 0ul, 1ul, 0ul, 1000ul)] // different counter range
    [InlineData(1ul, 0ul, 0ul, 2ul, 0ul, 0ul)] // different seed
    public void DifferentKeysAreUncorrelated(ulong s1, ulong st1, ulong c1, ulong s2, ulong st2, ulong c2)
    {
        var a = new CounterRng(s1, st1, c1);
        var b = new CounterRng(s2, st2, c2);
        const int n = 200_000;
        int equal = 0;
        double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            uint ua = a.NextUInt(), ub = b.NextUInt();
            if (ua == ub) equal++;
            double x = ua / 4294967296.0 - 0.5, y = ub / 4294967296.0 - 0.5;
            sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
        }
        double cov = sab / n - sa / n * (sb / n);
        double corr = cov / Math.Sqrt((saa / n - sa / n * (sa / n)) * (sbb / n - sb / n * (sb / n)));
        Assert.True(equal < 5, $"{equal} equal outputs");
        Assert.True(Math.Abs(corr) < 5 / Math.Sqrt(n), $"correlation {corr}");
    }

    [Fact]
    public void NextFloatIsInUnitIntervalAndUniform()
    {
        var rng = new CounterRng(3, 4);
        const int n = 1_000_000;
        double sum = 0;
        var bins = new int[10];
        for (int i = 0; i < n; i++)
        {
            float f = rng.NextFloat();
            Assert.True(f >= 0f && f < 1f, $"draw {i} = {f}");
            sum += f;
            bins[(int)(f * 10)]++;
        }
        Assert.InRange(sum / n, 0.5 - 5 * 0.2887 / 1000, 0.5 + 5 * 0.2887 / 1000);
        foreach (int b in bins) Assert.InRange(b, n / 10 - 1500, n / 10 + 1500); // ~5 sigma
    }

    [Fact]
    public void NextGaussianHasMeanZeroVarianceOne()
    {
        var rng = new CounterRng(11, 12);
        const int n = 1_000_000;
        double s = 0, s2 = 0, s4 = 0;
        for (int i = 0; i < n; i++)
        {
            double z = rng.NextGaussian();
            Assert.True(double.IsFinite(z));
            s += z; s2 += z * z; s4 += z * z * z * z;
        }
        double mean = s / n, variance = s2 / n - mean * mean;
        Assert.InRange(mean, -0.005, 0.005);            // 5 sigma = 5 / sqrt(n)
        Assert.InRange(variance, 1 - 0.0071, 1 + 0.0071); // 5 sigma = 5·sqrt(2/n)
        Assert.InRange(s4 / n, 3 - 0.07, 3 + 0.07);      // kurtosis of a normal; sd(z^4) = sqrt(96/n)
    }

    [Fact]
    public void FillNormalAndFillUniformFollowTheirParameters()
    {
        var rng = new CounterRng(5, 6);
        var d = new float[1_000_001]; // odd length exercises the pair remainder
        rng.FillNormal(d, 3f, 0.5f);
        double mean = 0, sq = 0;
        foreach (float v in d) mean += v;
        mean /= d.Length;
        foreach (float v in d) sq += (v - mean) * (v - mean);
        Assert.InRange(mean, 3 - 0.0025, 3 + 0.0025);
        Assert.InRange(Math.Sqrt(sq / d.Length), 0.5 * (1 - 0.0036), 0.5 * (1 + 0.0036));

        rng.FillUniform(d, -2f, 6f);
        double um = 0;
        foreach (float v in d)
        {
            Assert.True(v >= -2f && v < 6f, $"{v} outside [-2, 6)");
            um += v;
        }
        Assert.InRange(um / d.Length, 2 - 5 * 2.309 / 1000, 2 + 5 * 2.309 / 1000);
    }

    [Fact]
    public void ForIsDeterministicAndSeparatesNodesPurposesAndSteps()
    {
        var a = CounterRng.For(77, node: 3, step: 10, RngPurpose.Noise);
        var b = CounterRng.For(77, node: 3, step: 10, RngPurpose.Noise);
        Assert.Equal(a.NextUInt(), b.NextUInt());

        uint First(int node, long step, RngPurpose purpose)
        {
            var r = CounterRng.For(77, node, step, purpose);
            return r.NextUInt();
        }
        var seen = new HashSet<uint>();
        foreach (RngPurpose p in Enum.GetValues<RngPurpose>())
            for (int node = 0; node < 4; node++)
                for (long step = 0; step < 4; step++)
                    Assert.True(seen.Add(First(node, step, p)), $"collision at node {node} step {step} {p}");

        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRng.For(1, 0, -1, RngPurpose.Data));
        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRng.For(1, 0, 1L << 32, RngPurpose.Data));
    }

    [Fact]
    public void RowStreamsAreDistinctFromEachOtherAndFromTheNodeStreams()
    {
        uint First(CounterRng r) => r.NextUInt();
        var seen = new HashSet<uint>();
        for (int node = 0; node < 3; node++)
            for (long step = 0; step < 3; step++)
            {
                Assert.True(seen.Add(First(CounterRng.For(77, node, step, RngPurpose.Noise))), $"node stream {node}/{step}");
                for (int row = 0; row < 5; row++)
                    Assert.True(seen.Add(First(CounterRng.ForRow(77, node, step, RngPurpose.Noise, row))), $"row stream {node}/{step}/{row}");
            }

        // block b of a row stream is the row stream advanced by b blocks
        var start = CounterRng.ForRow(5, 2, 9, RngPurpose.Noise, row: 3);
        for (int i = 0; i < 4 * 7; i++) start.NextUInt();
        var at = CounterRng.ForRow(5, 2, 9, RngPurpose.Noise, row: 3, block: 7);
        Assert.Equal(start.NextUInt(), at.NextUInt());

        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRng.ForRow(1, 0, 0, RngPurpose.Noise, row: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRng.ForRow(1, 0, 0, RngPurpose.Noise, row: (1 << 24) - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRng.ForRow(1, 0, 0, RngPurpose.Noise, row: 0, block: 1UL << 32));
    }
}
