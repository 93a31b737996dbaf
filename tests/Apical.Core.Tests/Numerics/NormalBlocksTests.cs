using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

/// <summary>Width-independent normals: every path gives the same bits, close to double-precision Box–Muller.</summary>
[Collection(GemmPathCollection.Name)]
public sealed class NormalBlocksTests
{
    // (blocks, first block): a multiple of 16 blocks, one start that carries into the counter's high word mid-fill
    public static TheoryData<int, ulong> Fills() => new()
    {
        { 16, 0 },
        { 48, 7 },
        { 2048, 3UL << 32 },
        { 64, (1UL << 32) - 21 },
    };

    private static float[] FillOn(GemmPath path, int blocks, ulong start)
    {
        var dst = new float[4 * blocks];
        var before = NormalBlocks.Path;
        NormalBlocks.Path = path;
        try
        {
            var rng = new CounterRng(0x1234_5678_9ABCUL, 0xFEDC_BA98_7654UL, start);
            rng.FillNormalBlocks(dst);
        }
        finally
        {
            NormalBlocks.Path = before;
        }
        return dst;
    }

    private static void AssertSameBits(float[] want, float[] got, string what)
    {
        for (int i = 0; i < want.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(want[i]) == BitConverter.SingleToUInt32Bits(got[i]),
                $"{what}: element {i} is {got[i]:R}, scalar path gives {want[i]:R}");
    }

    [GemmPathTheory(GemmPath.Vector512)]
    [MemberData(nameof(Fills))]
    public void Vector512_GivesTheScalarBits(int blocks, ulong start) =>
        AssertSameBits(FillOn(GemmPath.Scalar, blocks, start), FillOn(GemmPath.Vector512, blocks, start), "Vector512");

    [GemmPathTheory(GemmPath.Vector256)]
    [MemberData(nameof(Fills))]
    public void Vector256_GivesTheScalarBits(int blocks, ulong start) =>
        AssertSameBits(FillOn(GemmPath.Scalar, blocks, start), FillOn(GemmPath.Vector256, blocks, start), "Vector256");

    [Theory]
    [MemberData(nameof(Fills))]
    public void AutoPath_IsBoxMullerOfTheBlockWordsInTheDocumentedLayout(int blocks, ulong start)
    {
        float[] got = FillOn(GemmPath.Auto, blocks, start);
        int m = blocks;
        double worst = 0;
        for (int j = 0; j < m; j++)
        {
            ulong block = start + (ulong)j;
            uint x0 = (uint)block, x1 = (uint)(block >> 32), x2 = 0xBA98_7654, x3 = 0xFEDC; // stream words of the generator above
            Philox.Block(ref x0, ref x1, ref x2, ref x3, 0x5678_9ABC, 0x1234);
            (double c0, double s0) = Reference(x0, x1);
            (double c1, double s1) = Reference(x2, x3);
            worst = Math.Max(worst, Math.Max(Math.Abs(got[j] - c0), Math.Abs(got[m + j] - s0)));
            worst = Math.Max(worst, Math.Max(Math.Abs(got[2 * m + j] - c1), Math.Abs(got[3 * m + j] - s1)));
        }
        Assert.True(worst < 2e-6, $"largest deviation from double-precision Box–Muller {worst:E2}");
    }

    private static (double Cos, double Sin) Reference(uint xu, uint xw)
    {
        double u = ((xu >> 8) + 1) / 16777216.0, w = (xw >> 8) / 16777216.0;
        double r = Math.Sqrt(-2 * Math.Log(u));
        return (r * Math.Cos(2 * Math.PI * w), r * Math.Sin(2 * Math.PI * w));
    }

    [Fact]
    public void EveryPath_IsAccurateAtTheExtremes()
    {
        // u = 2^-24 (largest radius), u = 1 (radius 0), angles at and next to every quarter turn
        uint[] us = [0x0000_00FF, 0xFFFF_FF00, 0x8000_0000, 0x5A82_7999];
        uint[] ws = [0, 0x3FFF_FF00, 0x4000_0000, 0x4000_0100, 0x8000_0000, 0xC000_0000, 0xE000_0000, 0xFFFF_FF00, 0x2000_0000];
        foreach (uint u in us)
            foreach (uint w in ws)
            {
                (float c, float s) = NormalBlocks.Pair(u, w);
                (double rc, double rs) = Reference(u, w);
                Assert.True(Math.Abs(c - rc) < 2e-6 && Math.Abs(s - rs) < 2e-6, $"u word {u:X8}, w word {w:X8}: ({c}, {s}) vs ({rc}, {rs})");
            }
    }

    [Fact]
    public void BlockCount_RoundsUpToWholeGroupsOfSixteen()
    {
        Assert.Equal(0, NormalBlocks.BlockCount(0));
        Assert.Equal(16, NormalBlocks.BlockCount(1));
        Assert.Equal(16, NormalBlocks.BlockCount(64));
        Assert.Equal(32, NormalBlocks.BlockCount(65));
        Assert.Equal(320, NormalBlocks.BlockCount(1280));
    }

    [Fact]
    public void FillNormalBlocks_AdvancesTheCounterByTheBlocksUsed()
    {
        var rng = new CounterRng(3, 4, 10);
        rng.NextUInt(); // a partly used block is abandoned
        rng.FillNormalBlocks(new float[128]);
        Assert.Equal(11UL + 32, rng.Counter);
        Assert.Throws<ArgumentException>(() => rng.FillNormalBlocks(new float[100]));
    }

    [Fact]
    public void NormalsHaveUnitVarianceNoMeanAndGaussianTails()
    {
        var rng = CounterRng.For(5, 1, 0, RngPurpose.Noise);
        var x = new float[4 * NormalBlocks.BlockCount(1_000_000)];
        rng.FillNormalBlocks(x);
        double mean = 0, var = 0, kurt = 0;
        int beyond3 = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        foreach (var v in x)
        {
            double d = v - mean;
            var += d * d;
            kurt += d * d * d * d;
            if (Math.Abs(v) > 3) beyond3++;
        }
        var /= x.Length;
        kurt = kurt / x.Length / (var * var);
        double tail = beyond3 / (double)x.Length; // P(|z| > 3) = 0.0026998
        Assert.True(Math.Abs(mean) < 0.005, $"mean {mean}");
        Assert.True(Math.Abs(var - 1) < 0.01, $"variance {var}");
        Assert.True(Math.Abs(kurt - 3) < 0.05, $"kurtosis {kurt}");
        Assert.True(Math.Abs(tail / 0.0026998 - 1) < 0.05, $"P(|z| > 3) = {tail}");
    }
}
