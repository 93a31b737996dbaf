using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.Cli;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>The <c>weight_product</c> feedback init (spec section 7): Q_l = W_{l+1}ᵀ ⋯ W_Lᵀ + N(0, σ_init²), Q_L = Id.</summary>
public class FeedbackWeightInitTests
{
    private static Matrix<double> M(Tensor t) => DfcOracle.ToMatrix(t);

    private static double MeanCondition2(DfcNetwork net, int samples)
    {
        var oracle = new DfcOracle(net.Layers);
        var q = oracle.StackedQ();
        var x = DfcTestNets.Uniform(samples, net.Layers[0].Options.InSize, 7);
        double c2 = 0;
        for (int s = 0; s < samples; s++) c2 += DfcOracle.Condition2(oracle.Jacobian(oracle.Feedforward(x.Row(s)).V), q);
        return c2 / samples;
    }

    [Fact]
    public void OnALinearNetworkQIsTheTransposedJacobianAndConditionTwoIsOne()
    {
        var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: true, feedbackInit: FeedbackInitKind.WeightProduct);
        var w = net.Layers.Select(l => M(l.Weights)).ToArray();
        var expected = new[] { (w[2] * w[1]).Transpose(), w[2].Transpose() };
        for (int l = 0; l < 2; l++)
            Assert.True((M(net.Layers[l].FeedbackWeights) - expected[l]).FrobeniusNorm() < 1e-6 * expected[l].FrobeniusNorm(), $"Q_{l + 1}");
        Assert.Equal(Matrix<double>.Build.DenseIdentity(5), M(net.Layers[2].FeedbackWeights));
        Assert.Equal(1.0, MeanCondition2(net, 4), 5);
    }

    [Fact]
    public void OnATanhNetworkItBeatsXavierFeedbackOnConditionTwo()
    {
        int[] sizes = [20, 32, 32, 5];
        double product = MeanCondition2(DfcTestNets.Build(sizes, linear: false, feedbackInit: FeedbackInitKind.WeightProduct), 16);
        double xavier = MeanCondition2(DfcTestNets.Build(sizes, linear: false), 16);
        Assert.True(product > 0.9 && product > xavier + 0.3, $"condition 2: weight product {product:F3}, Xavier {xavier:F3}");
    }

    [Fact]
    public void TheNoiseHasStdSigmaAndDependsOnlyOnTheSeed()
    {
        int[] sizes = [20, 64, 64, 5];
        const double sigma = 0.05;
        var clean = DfcTestNets.Build(sizes, linear: true, feedbackInit: FeedbackInitKind.WeightProduct);
        var noisy = DfcTestNets.Build(sizes, linear: true, feedbackInit: FeedbackInitKind.WeightProduct, feedbackInitSigma: sigma);
        var again = DfcTestNets.Build(sizes, linear: true, feedbackInit: FeedbackInitKind.WeightProduct, feedbackInitSigma: sigma);
        for (int l = 0; l < 2; l++)
        {
            var d = M(noisy.Layers[l].FeedbackWeights) - M(clean.Layers[l].FeedbackWeights);
            double std = Math.Sqrt(d.PointwisePower(2).Enumerate().Average());
            Assert.InRange(std, 0.9 * sigma, 1.1 * sigma);
            Assert.Equal(noisy.Layers[l].FeedbackWeights.ReadOnlySpan.ToArray(), again.Layers[l].FeedbackWeights.ReadOnlySpan.ToArray());
        }
        // the layers' noise streams differ
        Assert.NotEqual((M(noisy.Layers[0].FeedbackWeights) - M(clean.Layers[0].FeedbackWeights))[0, 0],
                        (M(noisy.Layers[1].FeedbackWeights) - M(clean.Layers[1].FeedbackWeights))[0, 0]);
    }

    [Fact]
    public void TheSimulationUsesTheProductItWasBuiltWith()
    {
        // Q = Jᵀ on a linear network (check 3's set-up): the simulated Δv matches the closed form to < 1e-3
        var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: true, batch: 4, feedbackInit: FeedbackInitKind.WeightProduct);
        var oracle = new DfcOracle(net.Layers);
        var x = DfcTestNets.Normal(4, 20, 1f, 11);
        var delta = DfcTestNets.Normal(4, 5, 0.1f, 5);
        using var sim = new DfcSimulator(net, 4);
        var target = DfcTestNets.Shifted(sim.Feedforward(x).Clone(), delta);
        sim.Run(DfcTestNets.Constants(alpha: 1e-3), x, target, batchSerial: 0, apply: false);
        var j = oracle.Jacobian(oracle.Feedforward(x.Row(0)).V);
        for (int b = 0; b < 4; b++)
        {
            var want = oracle.SteadyState(j, DfcOracle.RowVector(delta, b), 1e-3).DeltaV;
            double err = (DfcTestNets.DeltaV(net, b) - want).L2Norm() / want.L2Norm();
            Assert.True(err < 1e-3, $"sample {b}: relative Δv error {err:E3}");
        }
    }

    [Fact]
    public void TheConfigSelectsItAndNamesABadSigma()
    {
        string json = DfcResumeCommandTests.Config.Replace("\"diagnostics\": true,", "\"diagnostics\": true, \"feedbackInit\": \"weight-product\", \"feedbackInitSigma\": 0,");
        var config = RunConfigLoader.Parse(json, "wp.json");
        Assert.Equal(FeedbackInitKind.WeightProduct, config.Dfc!.FeedbackInit);
        var net = DfcNetwork.FromConfig(config, 40);
        var want = M(net.Layers[1].Weights).Transpose(); // Q_1 = W_2ᵀ (two layers)
        Assert.True((M(net.Layers[0].FeedbackWeights) - want).FrobeniusNorm() < 1e-6 * want.FrobeniusNorm());

        var negative = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(json.Replace("\"feedbackInitSigma\": 0", "\"feedbackInitSigma\": -1"), "wp.json"));
        Assert.Contains("dfc.feedbackInitSigma", negative.Message);
        string xavier = json.Replace("\"weight-product\"", "\"xavier-normal\"").Replace("\"feedbackInitSigma\": 0", "\"feedbackInitSigma\": 0.1");
        var unused = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(xavier, "wp.json"));
        Assert.Contains("dfc.feedbackInitSigma", unused.Message);
        Assert.Contains("weight-product", unused.Message);
    }
}
