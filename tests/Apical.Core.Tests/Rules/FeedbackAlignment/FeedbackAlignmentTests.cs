using Apical.Tests.Shared;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Tests.TestSupport;
using Apical.Core.Losses;
using Apical.Core.Rules.FeedbackAlignment;
using Xunit;

namespace Apical.Core.Tests.Rules.FeedbackAlignment;

public class FeedbackAlignmentTests
{
    private static readonly int[] Sizes = { 6, 5, 4, 3 };

    [Fact]
    public void FaWithFeedbackEqualToForwardWeightsEqualsBpExactly()
    {
        var data = TinyNetworks.Classification(16, 6, 3, seed: 2);
        using var bp = new TrainingSession(TinyNetworks.Config(RuleKind.Bp, Sizes, TinyNetworks.Sgd(0.1), 16), TinyNetworks.Splits(data));
        using var fa = new TrainingSession(TinyNetworks.Config(RuleKind.Fa, Sizes, TinyNetworks.Sgd(0.1), 16), TinyNetworks.Splits(data));
        var faLayers = fa.Network.Layers;
        for (int i = 0; i + 1 < faLayers.Count; i++)
            faLayers[i].FeedbackMatrix!.CopyFrom(faLayers[i + 1].Weights); // B_i = W_{i+1} (Wᵀ in column convention)

        bp.TrainEpoch(1);
        fa.TrainEpoch(1);
        for (int l = 0; l < Sizes.Length - 1; l++)
            Assert.Equal(bp.Network.Layers[l].Weights.ReadOnlySpan.ToArray(), fa.Network.Layers[l].Weights.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void FaWithRandomFeedbackDiffersFromBp()
    {
        var data = TinyNetworks.Classification(16, 6, 3, seed: 2);
        using var bp = new TrainingSession(TinyNetworks.Config(RuleKind.Bp, Sizes, TinyNetworks.Sgd(0.1), 16), TinyNetworks.Splits(data));
        using var fa = new TrainingSession(TinyNetworks.Config(RuleKind.Fa, Sizes, TinyNetworks.Sgd(0.1), 16), TinyNetworks.Splits(data));
        bp.TrainEpoch(1);
        fa.TrainEpoch(1);
        // The top layer sees the true output error under both rules; the first layer does not.
        Assert.Equal(bp.Network.Layers[2].Weights.ReadOnlySpan.ToArray(), fa.Network.Layers[2].Weights.ReadOnlySpan.ToArray());
        Assert.NotEqual(bp.Network.Layers[0].Weights.ReadOnlySpan.ToArray(), fa.Network.Layers[0].Weights.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData(RuleKind.Bp)]
    [InlineData(RuleKind.Fa)]
    [InlineData(RuleKind.Dfa)]
    public void EveryRuleLearnsASmallClassificationTask(RuleKind rule)
    {
        var train = TinyNetworks.Classification(512, 8, 3, seed: 3);
        var test = TinyNetworks.Classification(512, 8, 3, seed: 3); // same generator: a memorisation check
        var config = TinyNetworks.Config(rule, new[] { 8, 32, 32, 3 }, new Apical.Core.Optimization.OptimizerSpec { LearningRate = 3e-3 }, 32, epochs: 30);
        using var session = new TrainingSession(config, TinyNetworks.Splits(train, test));
        var before = session.EvaluateSplit(Phase.Test);
        var result = session.Run(new NullObserver(), CancellationToken.None);
        Assert.True(result.Completed);
        Assert.True(result.Last!.TestAccuracy > 0.9, $"{rule}: accuracy {result.Last.TestAccuracy:P1} (before training {before.Accuracy:P1})");
        Assert.True(result.Last.TestLoss < before.Loss * 0.5, $"{rule}: loss {result.Last.TestLoss} vs {before.Loss} before");
    }

    [Fact]
    public void DfaBroadcastsTheOutputErrorToEveryHiddenLayer()
    {
        var data = TinyNetworks.Classification(16, 6, 3, seed: 2);
        using var dfa = new TrainingSession(TinyNetworks.Config(RuleKind.Dfa, Sizes, TinyNetworks.Sgd(0.1), 16), TinyNetworks.Splits(data));
        var topology = dfa.Network.Topology;
        int loss = dfa.Network.Loss.Id;
        int fromLoss = 0;
        foreach (var link in topology.LinksFrom(loss)) if (link.Kind == MessageKind.Feedback) fromLoss++;
        Assert.Equal(Sizes.Length - 1, fromLoss);
        foreach (var layer in dfa.Network.Layers)
            Assert.Equal(0, topology.LinksFrom(layer.Id).ToArray().Count(l => l.Kind == MessageKind.Feedback));
    }
}

public class GradientAlignmentTests
{
    [Fact]
    public void FaWithTransposedWeightsIsAlignedAndRandomFeedbackIsNot()
    {
        var data = TinyNetworks.Classification(64, 8, 3, seed: 6);
        var config = TinyNetworks.Config(RuleKind.Fa, new[] { 8, 32, 32, 3 }, TinyNetworks.Sgd(0.1), 64);
        using var fa = new TrainingSession(config, TinyNetworks.Splits(data));
        var layers = fa.Network.Layers;
        var random = GradientAlignment.AnglesToBackprop(layers, RuleKind.Fa, LossKind.SoftmaxCrossEntropy, data.Inputs, data.Targets);
        Assert.Equal(2, random.Length);
        Assert.All(random, a => Assert.InRange(a, 30, 150));

        for (int i = 0; i + 1 < layers.Count; i++) layers[i].FeedbackMatrix!.CopyFrom(layers[i + 1].Weights);
        var aligned = GradientAlignment.AnglesToBackprop(layers, RuleKind.Fa, LossKind.SoftmaxCrossEntropy, data.Inputs, data.Targets);
        Assert.All(aligned, a => Assert.InRange(a, 0, 0.05));
    }

    [Fact]
    public void FaMetricsReportAnglesPerHiddenLayer()
    {
        var data = TinyNetworks.Classification(64, 8, 3, seed: 6);
        var config = TinyNetworks.Config(RuleKind.Dfa, new[] { 8, 16, 16, 3 }, TinyNetworks.Sgd(0.1), 16, epochs: 1);
        using var dfa = new TrainingSession(config, TinyNetworks.Splits(data));
        var result = dfa.Run(new NullObserver(), CancellationToken.None);
        var names = result.Last!.Extra.Select(p => p.Key).ToArray();
        Assert.Equal(new[] { "weight_staleness", "bp_angle_layer1", "bp_angle_layer2" }, names);
        Assert.All(result.Last.Extra.Skip(1), p => Assert.InRange(p.Value, 0, 180));
    }
}
