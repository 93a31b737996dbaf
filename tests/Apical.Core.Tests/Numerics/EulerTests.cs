using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class EulerTests
{
    private static float[] Values(int n, int seed)
    {
        var r = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(r.NextDouble() * 6 - 3);
        return v;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(333)]
    public void Relax_gives_the_bits_of_the_scalar_expression(int n)
    {
        float g = 0.0913f;
        var x = Values(n, 1);
        var a = Values(n, 2);
        var b = Values(n, 3);
        var want1 = (float[])x.Clone();
        var want2 = (float[])x.Clone();
        for (int i = 0; i < n; i++)
        {
            want1[i] += g * (a[i] - want1[i]);
            want2[i] += g * (a[i] + b[i] - want2[i]);
        }
        var got1 = (float[])x.Clone();
        var got2 = (float[])x.Clone();
        Euler.Relax(got1, a, g);
        Euler.Relax(got2, a, b, g);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(want1[i]), BitConverter.SingleToInt32Bits(got1[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(want2[i]), BitConverter.SingleToInt32Bits(got2[i]));
        }
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Euler.Relax(new float[4], new float[3], 0.1f));
        Assert.Throws<ArgumentException>(() => Euler.Relax(new float[4], new float[4], new float[5], 0.1f));
    }
}
