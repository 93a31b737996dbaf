using Apical.Core.Numerics;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Apical.Benchmarks;

/// <summary>Shared operands: X (Batch x In), W (Out x In), Y (Batch x Out), Y = X·Wᵀ.</summary>
public abstract class GemmOperands
{
    protected Tensor X = null!, W = null!, Y = null!;
    protected PackedMatrix Packed = null!;

    protected void Create(int batch, string shape)
    {
        string[] parts = shape.Split('x');
        int inDim = int.Parse(parts[0]), outDim = int.Parse(parts[1]);
        X = new Tensor(batch, inDim);
        W = new Tensor(outDim, inDim);
        Y = new Tensor(batch, outDim);
        var rng = new CounterRng(1, 0);
        rng.FillUniform(X.Span, -1f, 1f);
        WeightInit.XavierNormal(W, ref rng);
        Packed = PackedMatrix.ForTransB(W);
    }
}

/// <summary>Y = X·Wᵀ on the Auto path for the layer shapes of the MNIST networks.</summary>
[Config(typeof(GemmConfig))]
public class GemmShapes : GemmOperands
{
    [Params(1, 32, 128)]
    public int Batch { get; set; }

    [Params("784x256", "256x256", "256x10")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        Gemm.Path = GemmPath.Auto;
        Create(Batch, Shape);
    }

    /// <summary>Weights pre-packed once (the steady-state forward pass).</summary>
    [Benchmark]
    public void Packed_XWt() => Gemm.MatMul(X, Packed, Y);

    /// <summary>Packs W into the scratch buffer on every call.</summary>
    [Benchmark]
    public void Unpacked_XWt() => Gemm.MatMulTransB(X, W, Y);
}

/// <summary>Each kernel path at B = 32, 256 x 256, weights pre-packed.</summary>
[Config(typeof(GemmConfig))]
public class GemmPaths : GemmOperands
{
    [Params(32)]
    public int Batch { get; set; }

    [Params("256x256")]
    public string Shape { get; set; } = "";

    [ParamsSource(nameof(SupportedPaths))]
    public GemmPath Path { get; set; }

    public static IEnumerable<GemmPath> SupportedPaths() =>
        new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar }.Where(Gemm.IsSupported);

    [GlobalSetup]
    public void Setup()
    {
        Gemm.Path = Path;
        Create(Batch, Shape);
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.Path = GemmPath.Auto;

    [Benchmark]
    public void Packed_XWt() => Gemm.MatMul(X, Packed, Y);
}

/// <summary>MathNet.Numerics managed provider on the same product, for comparison.</summary>
[Config(typeof(GemmConfig))]
public class GemmMathNet
{
    private Matrix<float> _x = null!, _w = null!, _y = null!;

    [Params(32)]
    public int Batch { get; set; }

    [Params("256x256")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        Control.UseManaged();
        string[] parts = Shape.Split('x');
        int inDim = int.Parse(parts[0]), outDim = int.Parse(parts[1]);
        var rnd = new Random(1);
        _x = Matrix<float>.Build.Dense(Batch, inDim, (_, _) => (float)rnd.NextDouble());
        _w = Matrix<float>.Build.Dense(outDim, inDim, (_, _) => (float)rnd.NextDouble());
        _y = Matrix<float>.Build.Dense(Batch, outDim);
    }

    [Benchmark]
    public void MathNet_XWt() => _x.TransposeAndMultiply(_w, _y);
}

/// <summary>Refreshing packed weights after an update (W out x in).</summary>
[Config(typeof(GemmConfig))]
public class GemmRepack : GemmOperands
{
    [Params("784x256", "256x256")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup() => Create(1, Shape);

    [Benchmark]
    public void Repack() => Packed.Repack(W);
}

/// <summary>
/// The GLE MNIST-1D layer shapes (53 and 10 columns: partial 32-wide panels): the forward product, and the weight
/// gradient δᵀX (Out x In from Batch x Out and Batch x In), as a GLE layer computes them at every step.
/// </summary>
[Config(typeof(GemmConfig))]
public class GemmGleShapes : GemmOperands
{
    private Tensor _delta = null!, _grad = null!;

    [Params(1, 100)]
    public int Batch { get; set; }

    [Params("53x53", "53x10")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        Gemm.Path = GemmPath.Auto;
        Create(Batch, Shape);
        _delta = new Tensor(Batch, W.Rows);
        var rng = new CounterRng(2, 0);
        rng.FillUniform(_delta.Span, -1f, 1f);
        _grad = new Tensor(W.Rows, W.Cols);
    }

    [Benchmark]
    public void Packed_XWt() => Gemm.MatMul(X, Packed, Y);

    [Benchmark]
    public void Unpacked_XWt() => Gemm.MatMulTransB(X, W, Y);

    [Benchmark]
    public void Gradient_DeltaTX() => Gemm.MatMulTransA(_delta, X, _grad);
}
