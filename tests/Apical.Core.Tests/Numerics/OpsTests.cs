using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class OpsTests
{
    private static float[] Values(int n, int seed)
    {
        var r = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(r.NextDouble() * 6 - 3);
        return v;
    }

    [Fact]
    public void AddRowVectorAndSumRows()
    {
        var t = new Tensor(5, 7, Values(40, 1)); // longer backing array
        float[] before = (float[])t.Data.Clone();
        float[] bias = Values(7, 2);
        Ops.AddRowVector(t, bias);
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 7; c++)
                Assert.Equal(before[r * 7 + c] + bias[c], t[r, c], 1e-5f);
        for (int i = 35; i < 40; i++) Assert.Equal(before[i], t.Data[i]);

        var sums = new float[7];
        sums.AsSpan().Fill(100f);
        Ops.SumRows(t, sums, accumulate: false);
        for (int c = 0; c < 7; c++)
        {
            float s = 0;
            for (int r = 0; r < 5; r++) s += t[r, c];
            Assert.Equal(s, sums[c], 1e-4f);
        }
        Ops.SumRows(t, sums, accumulate: true);
        for (int c = 0; c < 7; c++)
        {
            float s = 0;
            for (int r = 0; r < 5; r++) s += t[r, c];
            Assert.Equal(2 * s, sums[c], 1e-4f);
        }
        Assert.Throws<ArgumentException>(() => Ops.AddRowVector(t, new float[6]));
        Assert.Throws<ArgumentException>(() => Ops.SumRows(t, new float[8]));
    }

    [Fact]
    public void Activations()
    {
        float[] x = Values(37, 3);
        var y = new float[37];
        var d = new float[37];
        Ops.Tanh(x, y);
        Ops.TanhDerivativeFromOutput(y, d);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(MathF.Tanh(x[i]), y[i], 1e-5f);
            Assert.Equal(1 - MathF.Tanh(x[i]) * MathF.Tanh(x[i]), d[i], 1e-5f);
        }
        Ops.Logistic(x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(1 / (1 + MathF.Exp(-x[i])), y[i], 1e-5f);
        Ops.Relu(x, y);
        float[] g = Values(37, 4);
        var gb = new float[37];
        Ops.ReluDerivative(x, d);
        Ops.ReluBackward(x, g, gb);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(Math.Max(x[i], 0f), y[i]);
            Assert.Equal(x[i] > 0 ? 1f : 0f, d[i]);
            Assert.Equal(x[i] > 0 ? g[i] : 0f, gb[i]);
        }
    }

    [Fact]
    public void LinearAlgebraHelpers()
    {
        float[] x = Values(29, 5);
        float[] y = Values(29, 6);
        float[] y0 = (float[])y.Clone();
        Ops.Axpy(0.25f, x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(y0[i] + 0.25f * x[i], y[i], 1e-5f);
        var h = new float[29];
        Ops.Hadamard(x, y0, h);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] * y0[i], h[i], 1e-5f);
        Ops.Scale(x, -2f, h);
        for (int i = 0; i < x.Length; i++) Assert.Equal(-2f * x[i], h[i]);
        Ops.Scale(h, 0.5f);
        for (int i = 0; i < x.Length; i++) Assert.Equal(-x[i], h[i]);
        double n2 = 0;
        foreach (float v in x) n2 += v * v;
        Assert.Equal(Math.Sqrt(n2), Ops.L2Norm(x), 1e-4f);
    }

    [Fact]
    public void ArgMaxRows()
    {
        var t = new Tensor(3, 4, [1, 5, 2, 5, -1, -3, -0.5f, -2, 0, 0, 0, 9, 99]);
        var idx = new int[3];
        Ops.ArgMaxRows(t, idx);
        Assert.Equal(new[] { 1, 2, 3 }, idx);
    }

    [Fact]
    public void HelpersDoNotAllocate()
    {
        var t = new Tensor(32, 256);
        float[] bias = new float[256], tmp = new float[32 * 256], tmp2 = new float[32 * 256];
        int[] idx = new int[32];
        void Run()
        {
            Ops.AddRowVector(t, bias);
            Ops.SumRows(t, bias, accumulate: true);
            Ops.Tanh(t.Span, tmp);
            Ops.TanhDerivativeFromOutput(tmp, tmp2);
            Ops.Logistic(tmp, tmp2);
            Ops.ReluBackward(tmp, tmp2, tmp2);
            Ops.Axpy(0.1f, tmp, tmp2);
            Ops.L2Norm(tmp2);
            Ops.ArgMaxRows(t, idx);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
