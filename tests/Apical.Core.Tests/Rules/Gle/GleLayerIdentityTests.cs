using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Gle;
using Xunit;
using static Apical.Core.Tests.Rules.Gle.GleTestSupport;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>Spec checks 1 and 2: the exact LE identity and the leaky-integrator limit, one layer, float32.</summary>
public class GleLayerIdentityTests
{
    private const int B = 4, NIn = 6, N = 5;
    private const float Dt = 0.1f;

    private static void RandomState(GleLayer layer, ref CounterRng rng)
    {
        foreach (var t in new[] { layer.U, layer.V, layer.R, layer.RPrime }) rng.FillNormal(t.Span, 0f, 1f);
        rng.FillNormal(layer.Bias.Span, 0f, 1f);
    }

    [Fact]
    public void LeUnitsGiveTheInstantaneousRateAndErrorAtEveryStep()
    {
        var rng = CounterRng.For(3, 0, 0, RngPurpose.Noise);
        var tau = new float[N];
        for (int j = 0; j < N; j++) tau[j] = Dt + rng.NextFloat() * (2f - Dt);
        var layer = Layer(NIn, N, B, tau, (float[])tau.Clone(), Dt, GlePhi.Tanh);
        RandomState(layer, ref rng);
        var outbox = new CaptureOutbox(layer, B);
        double maxRate = 0, maxErr = 0, maxFeedback = 0;
        for (int step = 0; step < 50; step++)
        {
            var x = Normal(B, NIn, ref rng);
            var f = Normal(B, N, ref rng);
            var w = layer.Weights.Clone();
            var bias = layer.Bias.Clone();
            var rpOld = layer.RPrime.Clone();
            layer.Fire(0, Phase.Train, step, [Msg(MessageKind.Rates, x), Msg(MessageKind.Feedback, f)], outbox);
            var sent = outbox.Last[MessageKind.Rates].Payload;
            var down = outbox.Last[MessageKind.Feedback].Payload;
            for (int b = 0; b < B; b++)
            {
                for (int j = 0; j < N; j++)
                {
                    double s = bias[0, j];
                    for (int i = 0; i < NIn; i++) s += w[j, i] * x[b, i];
                    maxRate = Math.Max(maxRate, Math.Abs(sent[b, j] - Math.Tanh(s)));
                    double eInst = rpOld[b, j] * f[b, j];
                    maxErr = Math.Max(maxErr, Math.Abs(layer.Error[b, j] - eInst));
                }
                for (int i = 0; i < NIn; i++)
                {
                    double fb = 0;
                    for (int j = 0; j < N; j++) fb += w[j, i] * layer.Error[b, j];
                    maxFeedback = Math.Max(maxFeedback, Math.Abs(down[b, i] - fb));
                }
            }
            Assert.False(SpanEqual(w, layer.Weights), "weights must learn at every step");
        }
        Assert.True(maxRate < 1e-5, $"max |r − tanh(W r_in + b)| = {maxRate}");
        Assert.True(maxErr < 1e-5, $"max |e − e^inst| = {maxErr}");
        Assert.True(maxFeedback < 1e-5, $"feedback is not Wᵀe with the pre-update W: {maxFeedback}");
    }

    [Fact]
    public void LagUnitsAreLeakyIntegratorsAndTheirErrorsInvertTheLag()
    {
        var rng = CounterRng.For(4, 0, 0, RngPurpose.Noise);
        var tauM = new float[N];
        for (int j = 0; j < N; j++) tauM[j] = 0.3f + j * 0.4f;
        var tauR = new float[N];
        Array.Fill(tauR, Dt);
        var layer = Layer(NIn, N, B, tauM, tauR, Dt, GlePhi.Tanh);
        RandomState(layer, ref rng);
        var outbox = new CaptureOutbox(layer, B);
        double maxRate = 0, maxRel = 0;
        for (int step = 0; step < 50; step++)
        {
            var x = Normal(B, NIn, ref rng);
            var f = Normal(B, N, ref rng);
            var vOld = layer.V.Clone();
            var rpOld = layer.RPrime.Clone();
            layer.Fire(0, Phase.Train, step, [Msg(MessageKind.Rates, x), Msg(MessageKind.Feedback, f)], outbox);
            for (int b = 0; b < B; b++)
                for (int j = 0; j < N; j++)
                {
                    maxRate = Math.Max(maxRate, Math.Abs(layer.R[b, j] - Math.Tanh(layer.U[b, j])));
                    double eInst = rpOld[b, j] * f[b, j];
                    double expected = vOld[b, j] + tauM[j] / Dt * (eInst - vOld[b, j]);
                    maxRel = Math.Max(maxRel, Math.Abs(layer.Error[b, j] - expected) / Math.Max(1, Math.Abs(expected)));
                }
        }
        Assert.True(maxRate < 1e-6, $"max |r − φ(u)| = {maxRate}");
        Assert.True(maxRel < 1e-5, $"max relative error of e = v + (τ_m/dt)(e^inst − v): {maxRel}");
    }

    [Fact]
    public void AblationUsesTheInstantaneousError()
    {
        var rng = CounterRng.For(5, 0, 0, RngPurpose.Noise);
        var tauM = new float[N]; Array.Fill(tauM, 1f);
        var tauR = new float[N]; Array.Fill(tauR, Dt);
        var layer = Layer(NIn, N, B, tauM, tauR, Dt, GlePhi.Tanh, prospective: false);
        RandomState(layer, ref rng);
        var outbox = new CaptureOutbox(layer, B);
        var rpOld = layer.RPrime.Clone();
        var f = Normal(B, N, ref rng);
        layer.Fire(0, Phase.Train, 0, [Msg(MessageKind.Rates, Normal(B, NIn, ref rng)), Msg(MessageKind.Feedback, f)], outbox);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < N; j++)
                Assert.Equal(rpOld[b, j] * f[b, j], layer.Error[b, j], 6);
    }

    [Fact]
    public void NanStopsTheRunNamingLayerStepAndValue()
    {
        var tau = new float[N]; Array.Fill(tau, 1f);
        var layer = Layer(NIn, N, B, tau, (float[])tau.Clone(), Dt, GlePhi.Identity);
        var x = new Tensor(B, NIn);
        x[1, 2] = float.NaN;
        var e = Assert.Throws<Apical.Core.Nodes.DivergenceException>(() =>
            layer.Fire(0, Phase.Train, 42, [Msg(MessageKind.Rates, x), Msg(MessageKind.Feedback, new Tensor(B, N))], new CaptureOutbox(layer, B)));
        Assert.Equal("l", e.Node);
        Assert.Equal(42, e.Step);
        Assert.True(double.IsNaN(e.Value));
        Assert.Contains("row 1", e.Message);
    }

    private static bool SpanEqual(Tensor a, Tensor b) => a.ReadOnlySpan.SequenceEqual(b.ReadOnlySpan);
}
