using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>
/// Spec check 19: with the same weights and one probe mini-batch, Apical's float32 simulation agrees with a float64
/// simulation written from the equations (<see cref="Float64Sweep"/>) on u[T−1] to 1e-4 relative and on every
/// layer's forward-rule gradient within 1°. The MNIST network (784-256-256-256-10, Xavier init) and the headline
/// constants of the shipped configs; inputs are standard normal (the scale of normalised MNIST pixels).
/// </summary>
public sealed class PrecisionTests
{
    private const int Batch = 4;
    private readonly ITestOutputHelper _output;

    public PrecisionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Dfc_wake_simulation_in_float32_matches_float64()
    {
        var spec = RunConfigLoader.Load(RepoFiles.Find("configs/mnist-dfc.json")).Dfc!;
        Compare(DfcPhases.Wake(spec), spec.TargetClassValue);
    }

    [Fact]
    public void Noise_free_strong_dfc_simulation_in_float32_matches_float64()
    {
        var spec = RunConfigLoader.Load(RepoFiles.Find("configs/mnist-strong-dfc.json")).Dfc!;
        var single = DfcPhases.Single(spec);
        var c = DfcTestNets.Constants(dt: single.Dt, steps: single.Steps, tauV: single.TauV, alpha: single.Alpha, kp: single.Kp,
            target: TargetKind.Label, softmax: true, learnForward: true, phase: DfcPhase.Single);
        Assert.True(single.SoftmaxError);
        Assert.Equal(TargetKind.Label, single.Target);
        Compare(c, spec.TargetClassValue);
    }

    private void Compare(PhaseConstants c, double classValue)
    {
        Assert.Equal(TransmissionSchedule.Sweep, c.Schedule);
        var net = DfcTestNets.Build(new[] { 784, 256, 256, 256, 10 }, linear: false, batch: Batch, seed: 1);
        var x = DfcTestNets.Normal(Batch, 784, 1f, 11);
        var labels = new Tensor(Batch, 10);
        float off = (float)((1 - classValue) / 9);
        for (int b = 0; b < Batch; b++)
            for (int j = 0; j < 10; j++) labels[b, j] = j == (3 * b + 1) % 10 ? (float)classValue : off;

        using var sim = new DfcSimulator(net, Batch);
        sim.Run(c, x, labels, batchSerial: 0, apply: false);
        var reference = new Float64Sweep(net.Layers);
        reference.Run(c, x, labels);

        var u32 = net.Controller.ControlExact;
        double du = 0, nu = 0;
        for (int b = 0; b < Batch; b++)
            for (int j = 0; j < 10; j++)
            {
                double d = u32[b * 10 + j] - reference.FinalControl[b, j];
                du += d * d;
                nu += reference.FinalControl[b, j] * reference.FinalControl[b, j];
            }
        double relU = Math.Sqrt(du / nu);
        _output.WriteLine($"u[T-1]: |u32 - u64| / |u64| = {relU:e3} (|u64| = {Math.Sqrt(nu):e3})");
        Assert.True(nu > 0, "the controller did nothing: the check would be vacuous");
        Assert.True(relU < 1e-4, $"u[T-1] differs by {relU:e3} relative (check 19: < 1e-4)");

        for (int l = 0; l < net.Layers.Count; l++)
        {
            var g32 = net.Layers[l].WeightGradient;
            var g64 = reference.WeightGradients[l];
            double dot = 0, n32 = 0, n64 = 0;
            for (int i = 0; i < g32.Rows; i++)
                for (int j = 0; j < g32.Cols; j++)
                {
                    dot += g32[i, j] * g64[i, j];
                    n32 += (double)g32[i, j] * g32[i, j];
                    n64 += g64[i, j] * g64[i, j];
                }
            double angle = Math.Acos(Math.Clamp(dot / Math.Sqrt(n32 * n64), -1, 1)) * 180 / Math.PI;
            _output.WriteLine($"layer {l + 1}: angle(g32, g64) = {angle:F4}°, |g64| = {Math.Sqrt(n64):e3}");
            Assert.True(n64 > 0, $"layer {l + 1}: zero float64 gradient; the check would be vacuous");
            Assert.True(angle < 1.0, $"layer {l + 1}: float32 gradient is {angle:F3}° from float64 (check 19: < 1°)");
        }
    }
}
