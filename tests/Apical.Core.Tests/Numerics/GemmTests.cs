using Apical.Core.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Apical.Core.Tests.Numerics;

[Collection(GemmPathCollection.Name)]
public sealed class GemmTests
{
    private readonly ITestOutputHelper _output;

    public GemmTests(ITestOutputHelper output) => _output = output;

    private static readonly int[] Dims = [1, 7, 10, 31, 33];
    private static readonly int[] Ks = [1, 10, 33, 784];

    /// <summary>(m, n, k): every combination of awkward sizes, plus a few with 784 or more outside k and the benchmark shape.</summary>
    private static IEnumerable<(int m, int n, int k)> Shapes()
    {
        foreach (int m in Dims)
            foreach (int n in Dims)
                foreach (int k in Ks)
                    yield return (m, n, k);
        yield return (784, 10, 33);
        yield return (33, 784, 7);
        yield return (10, 33, 784);
        yield return (32, 256, 256);
        yield return (17, 70, 513);
    }

    public static TheoryData<GemmVariant, bool, float> Cases()
    {
        var data = new TheoryData<GemmVariant, bool, float>();
        foreach (GemmVariant v in Enum.GetValues<GemmVariant>())
        {
            data.Add(v, false, 1f);
            data.Add(v, true, 1f);
            data.Add(v, false, -0.5f);
            data.Add(v, true, 2.5f);
        }
        return data;
    }

    [GemmPathTheory(GemmPath.Vector512)]
    [MemberData(nameof(Cases))]
    public void Vector512_MatchesReference(GemmVariant v, bool accumulate, float alpha) => CheckAll(GemmPath.Vector512, v, accumulate, alpha);

    [GemmPathTheory(GemmPath.Vector256)]
    [MemberData(nameof(Cases))]
    public void Vector256_MatchesReference(GemmVariant v, bool accumulate, float alpha) => CheckAll(GemmPath.Vector256, v, accumulate, alpha);

    [GemmPathTheory(GemmPath.Scalar)]
    [MemberData(nameof(Cases))]
    public void Scalar_MatchesReference(GemmVariant v, bool accumulate, float alpha) => CheckAll(GemmPath.Scalar, v, accumulate, alpha);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Auto_MatchesReference(GemmVariant v, bool accumulate, float alpha) => CheckAll(GemmPath.Auto, v, accumulate, alpha);

    private static void CheckAll(GemmPath path, GemmVariant v, bool accumulate, float alpha)
    {
        GemmPath saved = Gemm.Path;
        try
        {
            Gemm.Path = path;
            Assert.Equal(path == GemmPath.Auto ? Gemm.BestPath : path, Gemm.ActivePath);
            var rnd = new Random(HashCode.Combine((int)path, (int)v, accumulate, alpha));
            foreach ((int m, int n, int k) in Shapes())
                GemmReference.Check(v, m, n, k, accumulate, alpha, rnd);
        }
        finally
        {
            Gemm.Path = saved;
        }
    }

    [Theory]
    [InlineData(GemmVariant.MatMul)]
    [InlineData(GemmVariant.TransB)]
    [InlineData(GemmVariant.TransA)]
    [InlineData(GemmVariant.PackedTransB)]
    [InlineData(GemmVariant.PackedB)]
    public void ZeroSizes(GemmVariant v)
    {
        var rnd = new Random(7);
        foreach ((int m, int n, int k) in new[] { (0, 5, 3), (5, 0, 3), (0, 0, 0), (5, 3, 0), (1, 1, 0) })
        {
            GemmReference.Check(v, m, n, k, accumulate: false, alpha: 1f, rnd);
            GemmReference.Check(v, m, n, k, accumulate: true, alpha: 2f, rnd);
        }
        // k = 0 without accumulate must clear C.
        (Tensor a, Tensor b) = GemmReference.Operands(v, 3, 4, 0, rnd);
        var c = new Tensor(3, 4);
        c.Span.Fill(9f);
        GemmReference.Invoke(v, a, b, c, false, 1f);
        Assert.All(c.Data, x => Assert.Equal(0f, x));
    }

    /// <summary>Reports which paths the reference tests exercised and checks the selection rules.</summary>
    [Fact]
    public void PathSelection()
    {
        GemmPath saved = Gemm.Path;
        try
        {
            foreach (GemmPath p in Enum.GetValues<GemmPath>())
            {
                if (Gemm.IsSupported(p))
                {
                    Gemm.Path = p;
                    Assert.Equal(p, Gemm.Path);
                    _output.WriteLine($"{p}: supported and exercised");
                }
                else
                {
                    Assert.Throws<PlatformNotSupportedException>(() => Gemm.Path = p);
                    _output.WriteLine($"{p}: not supported here; its reference tests are reported as skipped");
                }
            }
            Gemm.Path = GemmPath.Auto;
            Assert.Equal(Gemm.BestPath, Gemm.ActivePath);
            Assert.True(Gemm.IsSupported(GemmPath.Scalar));
            _output.WriteLine($"Auto resolves to {Gemm.BestPath}");
        }
        finally
        {
            Gemm.Path = saved;
        }
    }

    [Fact]
    public void ShapeMismatchNamesBothShapes()
    {
        var a = new Tensor(3, 4);
        var bad = new Tensor(5, 6);
        var c = new Tensor(3, 6);
        var e1 = Assert.Throws<ArgumentException>(() => Gemm.MatMul(a, bad, c));
        Assert.Contains("3x4", e1.Message);
        Assert.Contains("5x6", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Gemm.MatMulTransB(a, bad, new Tensor(3, 5)));
        Assert.Contains("3x4", e2.Message);
        Assert.Contains("5x6", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => Gemm.MatMulTransA(a, bad, new Tensor(4, 6)));
        Assert.Contains("3x4", e3.Message);
        Assert.Contains("5x6", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => Gemm.MatMul(a, new Tensor(4, 6), new Tensor(3, 7)));
        Assert.Contains("3x7", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => Gemm.MatMul(a, PackedMatrix.ForTransB(bad), new Tensor(3, 5)));
        Assert.Contains("3x4", e5.Message);
        Assert.Contains("6", e5.Message);
        var packed = PackedMatrix.ForTransB(new Tensor(5, 4));
        var e6 = Assert.Throws<ArgumentException>(() => packed.Repack(bad));
        Assert.Contains("5x6", e6.Message);
        Assert.Contains("5x4", e6.Message);
    }

    [Fact]
    public void OutputMustNotAliasInputs()
    {
        var sq = new Tensor(4, 4);
        var other = new Tensor(4, 4);
        Assert.Throws<ArgumentException>(() => Gemm.MatMul(sq, other, sq));
        Assert.Throws<ArgumentException>(() => Gemm.MatMul(other, sq, sq));
        Assert.Throws<ArgumentException>(() => Gemm.MatMulTransB(sq, other, sq));
        Assert.Throws<ArgumentException>(() => Gemm.MatMulTransA(other, sq, sq));
        Assert.Throws<ArgumentException>(() => Gemm.MatMul(sq, PackedMatrix.ForB(other), sq));
        // A distinct tensor over the same backing array aliases too.
        var view = new Tensor(4, 4, sq.Data);
        Assert.Throws<ArgumentException>(() => Gemm.MatMul(sq, other, view));
    }

    [Fact]
    public void RepackRefreshesInPlaceAndPackIsPathIndependent()
    {
        GemmPath saved = Gemm.Path;
        try
        {
            var rnd = new Random(3);
            Tensor x = GemmReference.Random(32, 100, rnd);
            Tensor w = GemmReference.Random(45, 100, rnd);
            var packed = PackedMatrix.ForTransB(w);
            Assert.Equal(100, packed.K);
            Assert.Equal(45, packed.N);
            var expected = new Tensor(32, 45);
            var got = new Tensor(32, 45);
            foreach (GemmPath p in Enum.GetValues<GemmPath>())
            {
                if (!Gemm.IsSupported(p)) continue;
                Gemm.Path = p;
                for (int i = 0; i < w.Length; i++) w.Data[i] = (float)(rnd.NextDouble() - 0.5);
                packed.Repack(w);
                Gemm.MatMulTransB(x, w, expected);
                Gemm.MatMul(x, packed, got);
                for (int i = 0; i < got.Length; i++)
                    Assert.Equal(expected.Data[i], got.Data[i], 4);
            }
        }
        finally
        {
            Gemm.Path = saved;
        }
    }

    [Fact]
    public void SteadyStateDoesNotAllocate()
    {
        var rnd = new Random(5);
        Tensor x = GemmReference.Random(32, 300, rnd);
        Tensor w = GemmReference.Random(70, 300, rnd);
        Tensor d = GemmReference.Random(32, 70, rnd);
        var y = new Tensor(32, 70);
        var dw = new Tensor(70, 300);
        var dx = new Tensor(32, 300);
        var packed = PackedMatrix.ForTransB(w);
        void Step()
        {
            Gemm.MatMul(x, packed, y);
            Gemm.MatMulTransB(x, w, y, accumulate: true);
            Gemm.MatMulTransA(d, x, dw, accumulate: true, alpha: 0.1f);
            Gemm.MatMul(d, w, dx);
            packed.Repack(w);
        }
        for (int i = 0; i < 30; i++) Step(); // past tiered-JIT recompilation, which may allocate once on this thread
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Step();
        // Any allocation per call would be at least 24 bytes × 100 calls; allow only runtime noise below that.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1024);
    }
}
