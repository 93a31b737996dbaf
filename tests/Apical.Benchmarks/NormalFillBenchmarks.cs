using Apical.Core.Numerics;
using BenchmarkDotNet.Attributes;

namespace Apical.Benchmarks;

/// <summary>
/// Standard normals for one Strong-DFC noise step (128 x 256 values) on each path of <see cref="NormalBlocks"/>
/// (all give the same bits), and the sequential double-precision Box–Muller of <see cref="CounterRng.FillNormal"/>.
/// </summary>
[Config(typeof(GemmConfig))]
public class NormalFill
{
    private const int N = 128 * 256;
    private readonly float[] _dst = new float[4 * NormalBlocks.BlockCount(N)];
    private CounterRng _rng = new(1, 2);

    [ParamsSource(nameof(SupportedPaths))]
    public GemmPath Path { get; set; }

    public static IEnumerable<GemmPath> SupportedPaths() =>
        new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar }.Where(NormalBlocks.IsSupported);

    [GlobalSetup]
    public void Setup() => NormalBlocks.Path = Path;

    [GlobalCleanup]
    public void Cleanup() => NormalBlocks.Path = GemmPath.Auto;

    [Benchmark]
    public void Blocks() => _rng.FillNormalBlocks(_dst);

    [Benchmark]
    public void SequentialDouble() => _rng.FillNormal(_dst.AsSpan(0, N), 0f, 1f);
}
