using Apical.Core.Data;
using Apical.Core.Data.Streams;
using Apical.Core.Engine;
using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Gle;
using Apical.Tests.Shared;
using Xunit;
using static Apical.Core.Tests.Rules.Gle.GleTestSupport;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>Spec checks 4, 5 (gradients against BPTT), 9, 10 (tick semantics and delays) and 12 (locality).</summary>
public class GleNetworkTests
{
    private static readonly float[] StudentW1 = [-0.1693f, 1.1335f];

    private static List<TauSegment> Taus(params double[] values) => values.Select(v => new TauSegment { Count = 1, Value = v }).ToList();

    /// <summary>Section 15.1's 1 → 2 → 2 → 1 LagNet with the given hidden τ_r, γ = 0, learning off.</summary>
    private static RunConfig LagNet(double[] tauRHidden, bool prospective)
    {
        List<GleLayerSpec> Net(float[] w1) =>
        [
            new() { Phi = GlePhi.Tanh, Bias = false, TauM = Taus(1, 1), TauR = Taus(tauRHidden), Weights = w1 },
            new() { Phi = GlePhi.Tanh, Bias = false, TauM = Taus(1, 1), TauR = Taus(tauRHidden), Weights = [0.5f, 0f, 0f, 1f] },
            new() { Phi = GlePhi.Identity, Bias = false, TauM = Taus(1), Weights = [0.5f, 1f] },
        ];
        return new RunConfig
        {
            Rule = RuleKind.Gle,
            Data = new DataSpec { Name = DatasetNames.LagNet },
            Network = new NetworkSpec { Input = 1, Layers = [new() { Out = 2 }, new() { Out = 2 }, new() { Out = 1, Activation = Activation.Linear }] },
            Loss = LossKind.Mse,
            BatchSize = 1,
            Optimizer = new OptimizerSpec { Type = OptimizerKind.Sgd, LearningRate = 2e-4, Momentum = 0.9 },
            Gle = new GleSpec
            {
                Dt = 0.01, Beta = 1, Gamma = 0, ProspectiveErrors = prospective, LearnFromStep = long.MaxValue, Steps = 4000,
                Layers = Net(StudentW1), Teacher = Net([-0.5f, 1f]),
            },
        };
    }

    /// <summary>cos(Ĝ_l, −∂ℒ/∂W_l) per layer for K0 = 1000, K1 = 3999 over 4000 steps.</summary>
    private static double[] GradientCosines(double[] tauRHidden, bool prospective)
    {
        const int K = 4000, K0 = 1000, K1 = 3999;
        const double dt = 0.01;
        var config = LagNet(tauRHidden, prospective);
        Assert.Empty(RunConfigValidator.Validate(config));
        using var session = new GleStreamSession(config);
        var layers = session.Network.Layers;
        for (long s = 0; s < K - 1; s++)
        {
            if (s == K0 - 1) foreach (var l in layers) l.AccumulateErrorRate = true;
            session.Advance();
        }

        // The same run in double: x_k consumed by layer 1 at step k is the stream's source step k − 1.
        var x = new double[K][];
        x[0] = [0];
        for (int k = 1; k < K; k++) x[k] = [LagNetTask.Value((k - 1) * dt)];
        double[][] tauM = [[1, 1], [1, 1], [1]];
        double[][] tauR = [tauRHidden, tauRHidden, [1]];
        GlePhi[] phi = [GlePhi.Tanh, GlePhi.Tanh, GlePhi.Identity];
        double[,] w2 = { { 0.5, 0 }, { 0, 1 } }, w3 = { { 0.5, 1 } };
        var teacher = new BpttOracle([new double[,] { { -0.5 }, { 1 } }, w2, w3], phi, tauM, tauR, dt);
        var student = new BpttOracle([new double[,] { { StudentW1[0] }, { StudentW1[1] } }, w2, w3], phi, tauM, tauR, dt);
        var y = teacher.Outputs(x);
        var grad = student.Gradient(x, y, K0, K1);

        var cos = new double[3];
        for (int l = 0; l < 3; l++)
        {
            var g = layers[l].ErrorRateSum.ReadOnlySpan;
            var gle = new double[g.Length];
            var bptt = new double[g.Length];
            for (int i = 0; i < g.Length; i++)
            {
                gle[i] = g[i];
                bptt[i] = -grad[l][i / grad[l].GetLength(1), i % grad[l].GetLength(1)];
            }
            cos[l] = Cosine(gle, bptt);
        }
        return cos;
    }

    [Fact]
    public void LeNetworkGradientsEqualBptt()
    {
        foreach (bool prospective in new[] { true, false })
        {
            var cos = GradientCosines([1, 1], prospective);
            for (int l = 0; l < 3; l++)
                Assert.True(cos[l] > 0.9999, $"prospective={prospective}: cos(GLE, BPTT) of W{l + 1} = {cos[l]}");
        }
    }

    [Fact]
    public void MixedLagNetGradientsBeatTheInstantaneousAblation()
    {
        var gle = GradientCosines([1, 0.1], true);
        var inst = GradientCosines([1, 0.1], false);
        string report = $"GLE {string.Join(", ", gle.Select(c => c.ToString("F4")))} vs ablation {string.Join(", ", inst.Select(c => c.ToString("F4")))}";
        Assert.True(gle[0] > 0.95 && gle[0] >= inst[0] + 0.1, report);
        Assert.True(gle[1] > 0.95, report);
        Assert.True(gle[2] > 0.999, report);
    }

    [Fact]
    public void LagUnitsEverywhereSeparateGleFromTheAblation()
    {
        var gle = GradientCosines([0.1, 0.1], true);
        var inst = GradientCosines([0.1, 0.1], false);
        Assert.True(gle[0] > 0.99, $"GLE W1 cosine {gle[0]}");
        Assert.True(inst[0] < 0.75, $"ablation W1 cosine {inst[0]}");
    }

    private static RunConfig TickNet(int delay, int batch) => GleTickNet.Config(delay, batch);

    private static double[] Static(GleNetwork net, ReadOnlySpan<float> x) =>
        GleTickNet.Static([.. net.Layers.Select(l => (l.Weights, l.Bias, l.Options.Phi))], x);

    [Theory]
    [InlineData(1, null)]
    [InlineData(1, 5)]
    [InlineData(2, null)]
    [InlineData(2, 9)]
    public void OutputAtStepKIsTheStaticNetworkOfTheInputLDelaysEarlier(int delay, int? shuffle)
    {
        const int B = 3, Steps = 60;
        var config = TickNet(delay, B);
        var net = GleNetwork.Build(config, 4, 0, B);
        using var engine = new InProcessEngine(net.Topology, "t", B, shuffle);
        var rng = CounterRng.For(21, 0, 0, RngPurpose.Noise);
        var xs = new List<Tensor>();
        var y = new Tensor(B, 2);
        for (int s = 0; s < Steps; s++)
        {
            var x = Normal(B, 4, ref rng);
            xs.Add(x);
            net.Source.Emit(s, Phase.Train, x, y, engine.OutboxOf(net.Source.Id));
            engine.Pump();
            // The readout's step k consumes the output stamped k − d, which is F of the input layer 1 consumed at
            // step k − 3d, i.e. the source's step k − 3d − 1.
            int source = (int)net.Readout.LastStep - 3 * delay - 1;
            if (source < 0) continue;
            Assert.True(net.Readout.LastStep >= s + 1, "the readout fell behind the source");
            var seen = net.Readout.LastOutput;
            for (int b = 0; b < B; b++)
            {
                var expected = Static(net, xs[source].Row(b));
                for (int j = 0; j < 2; j++) Assert.True(Math.Abs(seen[b, j] - expected[j]) < 1e-5, $"step {s}, row {b}: {seen[b, j]} vs {expected[j]}");
                for (int other = Math.Max(0, s - 20); other <= s; other++)
                {
                    if (other == source) continue;
                    var wrong = Static(net, xs[other].Row(b));
                    double diff = Math.Max(Math.Abs(seen[b, 0] - wrong[0]), Math.Abs(seen[b, 1] - wrong[1]));
                    Assert.True(diff > 1e-3, $"step {s} also matches the input of step {other}");
                }
            }
        }
    }

    [Fact]
    public void LayersSendExactlyTheirRatesUpAndWTransposeEDown()
    {
        var net = GleNetwork.Build(TickNet(1, 2), 4, 0, 2);
        int[] widths = [4, 8, 8, 2];
        for (int l = 0; l < 3; l++)
        {
            var outputs = net.Layers[l].Outputs;
            Assert.Equal(widths[l + 1], outputs[0].Width);
            if (l == 0) Assert.Single(outputs);
            else
            {
                Assert.Equal(2, outputs.Count);
                Assert.Equal(MessageKind.Feedback, outputs[1].Kind);
                Assert.Equal(widths[l], outputs[1].Width);
            }
        }
        foreach (var link in net.Topology.Links)
            Assert.Contains(link.Kind, new[] { MessageKind.Input, MessageKind.Rates, MessageKind.Feedback, MessageKind.Output, MessageKind.Target });
    }
}
