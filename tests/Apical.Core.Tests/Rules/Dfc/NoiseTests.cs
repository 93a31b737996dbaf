using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>Spec check 9: statistics of the low-pass and white apical noise.</summary>
public class NoiseTests
{
    private const int Width = 100, Steps = 10_000; // 1e6 samples

    private static PhaseConstants Noise(NoiseKind kind, double dt, double tauFb, double tauNoise) =>
        DfcTestNets.Constants(dt: dt, steps: Steps, tauV: 1, tauFb: tauFb, noise: kind, sigma: 1, tauNoise: tauNoise);

    [Fact]
    public void LowPassNoiseHasTheStationaryVarianceAndAutocorrelation()
    {
        // τ_ε = 0.07, dt = 1e-3: a = 1/70, var ε = 1/(τ_ε (2 − a)).
        double dt = 1e-3, tau = 0.07, a = dt / tau;
        var noise = new ApicalNoise(seed: 9, node: 1, width: Width, rows: 1);
        noise.Begin(Noise(NoiseKind.LowPass, dt, dt, tau), sigma: 1, batchSerial: 0, rows: 1);
        var buffer = new float[Width];
        var series = new float[Steps, Width];
        for (int k = 0; k < Steps; k++)
        {
            Array.Clear(buffer);
            noise.AddTo(buffer); // σ = 1 and v^fb = 0: the increment is ε itself
            for (int i = 0; i < Width; i++) series[k, i] = buffer[i];
        }
        int burn = 1000;
        double var = 0;
        int n = 0;
        for (int k = burn; k < Steps; k++) for (int i = 0; i < Width; i++) { var += series[k, i] * (double)series[k, i]; n++; }
        var /= n;
        double want = 1 / (tau * (2 - a));
        Assert.True(Math.Abs(var / want - 1) < 0.03, $"var ε = {var:F3}, expected {want:F3}");
        foreach (int lag in new[] { 1, 10, 50, 100 })
        {
            double c = 0;
            int m = 0;
            for (int k = burn; k + lag < Steps; k++) for (int i = 0; i < Width; i++) { c += series[k, i] * (double)series[k + lag, i]; m++; }
            double rho = c / m / var;
            Assert.True(Math.Abs(rho - Math.Pow(1 - a, lag)) < 0.02, $"lag {lag}: autocorrelation {rho:F3}, expected {Math.Pow(1 - a, lag):F3}");
        }
        double cross = 0;
        for (int k = burn; k < Steps; k++) cross += series[k, 0] * (double)series[k, 1];
        cross /= (Steps - burn) * var;
        Assert.True(Math.Abs(cross) < 0.05, $"cross-correlation of neighbouring neurons {cross:F3}"); // 9000 correlated samples: ±0.05
    }

    [Fact]
    public void WhiteNoiseThroughTheApicalCompartmentIsAnOrnsteinUhlenbeckProcess()
    {
        // u = 0: v^fb ← v^fb − b v^fb + σ √dt/τ_fb ξ, stationary variance σ²/(τ_fb (2 − b)).
        double dt = 1.14218e-3, tauFb = 0.140466, b = dt / tauFb;
        var noise = new ApicalNoise(seed: 4, node: 2, width: Width, rows: 100);
        noise.Begin(Noise(NoiseKind.White, dt, tauFb, 1), sigma: 1, batchSerial: 3, rows: 100);
        var v = new float[Width * 100];
        double var = 0, cross = 0, crossRows = 0;
        int n = 0;
        for (int k = 0; k < Steps / 2; k++)
        {
            for (int i = 0; i < v.Length; i++) v[i] -= (float)b * v[i];
            noise.AddTo(v);
            if (k < 2000) continue;
            for (int i = 0; i < v.Length - Width; i += 2)
            {
                var += v[i] * (double)v[i];
                cross += v[i] * (double)v[i + 1];
                crossRows += v[i] * (double)v[i + Width]; // the same neuron of the next sample: another stream
                n++;
            }
        }
        var /= n;
        double want = 1 / (tauFb * (2 - b));
        Assert.True(Math.Abs(var / want - 1) < 0.03, $"var v^fb = {var:F3}, expected {want:F3}");
        Assert.True(Math.Abs(cross / n / var) < 0.01, $"cross-correlation {cross / n / var:F4}");
        Assert.True(Math.Abs(crossRows / n / var) < 0.01, $"cross-correlation between samples {crossRows / n / var:F4}");
    }

    [Theory]
    [InlineData(NoiseKind.LowPass)]
    [InlineData(NoiseKind.White)]
    public void EachRowDrawsItsOwnNoiseWhateverRowsTheLayerHolds(NoiseKind kind)
    {
        // A batch of 7 rows of 53 values, whole and as halves of 3 and 4 rows (the second from row offset 3): the same bits.
        const int rows = 7, width = 53, steps = 5, h = 3;
        var c = DfcTestNets.Constants(dt: 1e-3, steps: steps, tauV: 1, tauFb: 0.1, noise: kind, sigma: 0.5, tauNoise: 0.07);
        var whole = new ApicalNoise(seed: 31, node: 4, width: width, rows: rows);
        var first = new ApicalNoise(seed: 31, node: 4, width: width, rows: h);
        var second = new ApicalNoise(seed: 31, node: 4, width: width, rows: rows - h);
        whole.Begin(c, sigma: 0.5, batchSerial: 12, rows: rows);
        first.Begin(c, sigma: 0.5, batchSerial: 12, rows: h);
        second.Begin(c, sigma: 0.5, batchSerial: 12, rows: rows - h, rowOffset: h);
        var v = new float[rows * width];
        var halves = new float[rows * width];
        for (int k = 0; k < steps; k++)
        {
            whole.AddTo(v);
            first.AddTo(halves.AsSpan(0, h * width));
            second.AddTo(halves.AsSpan(h * width));
            Assert.Equal(v, halves);
        }
        Assert.Contains(v, x => x != 0);

        var shifted = new ApicalNoise(seed: 31, node: 4, width: width, rows: rows);
        shifted.Begin(c, sigma: 0.5, batchSerial: 12, rows: rows, rowOffset: 1);
        var u = new float[rows * width];
        for (int k = 0; k < steps; k++) shifted.AddTo(u);
        Assert.Equal(v.AsSpan(width).ToArray(), u.AsSpan(0, (rows - 1) * width).ToArray()); // row r + 1 of the batch
        Assert.NotEqual(v.AsSpan(0, width).ToArray(), u.AsSpan(0, width).ToArray());
    }
}
