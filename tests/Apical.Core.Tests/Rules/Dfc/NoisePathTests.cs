using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.Numerics;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>The apical noise has the same bits whatever the CPU's vector width (DESIGN invariant 4).</summary>
[Collection(GemmPathCollection.Name)]
public sealed class NoisePathTests
{
    private const int Rows = 7, Width = 53, Steps = 6;

    /// <summary>Low-pass then white noise over a few steps of a 7 x 53 layer (371 values: not a whole vector).</summary>
    private static float[] Run(GemmPath path)
    {
        var before = NormalBlocks.Path;
        NormalBlocks.Path = path;
        try
        {
            int n = Rows * Width;
            var noise = new ApicalNoise(seed: 21, node: 3, width: Width, rows: Rows);
            var v = new float[n];
            var trace = new float[2 * Steps * n];
            noise.Begin(DfcTestNets.Constants(dt: 1e-3, steps: Steps, tauV: 1, tauFb: 0.1, noise: NoiseKind.LowPass, sigma: 0.5, tauNoise: 0.07),
                sigma: 0.5, batchSerial: 17, rows: Rows);
            for (int k = 0; k < Steps; k++) { noise.AddTo(v); v.CopyTo(trace, k * n); }
            noise.Begin(DfcTestNets.Constants(dt: 1e-3, steps: Steps, tauV: 1, tauFb: 0.1, noise: NoiseKind.White, sigma: 0.5),
                sigma: 0.5, batchSerial: 18, rows: Rows);
            for (int k = 0; k < Steps; k++) { noise.AddTo(v); v.CopyTo(trace, (Steps + k) * n); }
            return trace;
        }
        finally
        {
            NormalBlocks.Path = before;
        }
    }

    private static void AssertSameBits(float[] want, float[] got)
    {
        for (int i = 0; i < want.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(want[i]) == BitConverter.SingleToUInt32Bits(got[i]),
                $"step {i / (Rows * Width)}, element {i % (Rows * Width)}: {got[i]:R}, scalar path {want[i]:R}");
    }

    [GemmPathFact(GemmPath.Vector512)]
    public void Vector512_MatchesScalar() => AssertSameBits(Run(GemmPath.Scalar), Run(GemmPath.Vector512));

    [GemmPathFact(GemmPath.Vector256)]
    public void Vector256_MatchesScalar() => AssertSameBits(Run(GemmPath.Scalar), Run(GemmPath.Vector256));

}
