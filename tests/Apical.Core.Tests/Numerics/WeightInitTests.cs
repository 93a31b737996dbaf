using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class WeightInitTests
{
    private static (double mean, double std, float min, float max) Stats(Tensor w)
    {
        double s = 0, s2 = 0;
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in w.Span)
        {
            s += v; s2 += (double)v * v;
            min = Math.Min(min, v); max = Math.Max(max, v);
        }
        double mean = s / w.Length;
        return (mean, Math.Sqrt(s2 / w.Length - mean * mean), min, max);
    }

    [Fact]
    public void XavierNormalHasGlorotStd()
    {
        var w = new Tensor(256, 784); // fan_out = 256, fan_in = 784
        var rng = CounterRng.For(1, 0, 0, RngPurpose.Init);
        WeightInit.XavierNormal(w, ref rng);
        (double mean, double std, _, _) = Stats(w);
        double expected = Math.Sqrt(2.0 / (784 + 256));
        Assert.InRange(std, expected * 0.99, expected * 1.01);
        Assert.InRange(mean, -0.01 * expected, 0.01 * expected);
    }

    [Fact]
    public void XavierUniformIsBoundedWithGlorotStd()
    {
        var w = new Tensor(100, 300);
        var rng = new CounterRng(2, 0);
        WeightInit.XavierUniform(w, ref rng);
        (_, double std, float min, float max) = Stats(w);
        double limit = Math.Sqrt(6.0 / 400);
        Assert.True(min >= -limit && max < limit, $"range [{min}, {max}] exceeds ±{limit}");
        Assert.InRange(std, Math.Sqrt(2.0 / 400) * 0.98, Math.Sqrt(2.0 / 400) * 1.02);
    }

    [Fact]
    public void HeNormalAndNormalStd()
    {
        var w = new Tensor(200, 500);
        var rng = new CounterRng(3, 0);
        WeightInit.HeNormal(w, ref rng);
        Assert.InRange(Stats(w).std, Math.Sqrt(2.0 / 500) * 0.98, Math.Sqrt(2.0 / 500) * 1.02);
        WeightInit.Normal(w, 0.05f, ref rng);
        Assert.InRange(Stats(w).std, 0.05 * 0.98, 0.05 * 1.02);
    }

    [Fact]
    public void InitIsReproducible()
    {
        var a = new Tensor(10, 20);
        var b = new Tensor(10, 20);
        var r1 = CounterRng.For(9, 2, 0, RngPurpose.Init);
        var r2 = CounterRng.For(9, 2, 0, RngPurpose.Init);
        WeightInit.XavierNormal(a, ref r1);
        WeightInit.XavierNormal(b, ref r2);
        Assert.Equal(a.Data, b.Data);
    }
}
