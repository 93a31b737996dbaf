using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>The per-epoch parameter change of <see cref="ParameterDrift"/> (metrics.csv <c>w_change_lN</c>,
/// <c>q_change_lN</c>).</summary>
public class ParameterDriftTests
{
    [Fact]
    public void ChangeIsTheRelativeFrobeniusDistanceToTheMark()
    {
        var net = DfcTestNets.Build([4, 3, 2], linear: false);
        var drift = new ParameterDrift(net);
        drift.Mark(net);
        Assert.Equal(0.0, drift.WeightChange(net, 0));
        Assert.Equal(0.0, drift.FeedbackChange(net, 1));

        var w = net.Layers[0].Weights.Span;
        double norm = 0;
        foreach (float x in w) norm += (double)x * x;
        w[5] += 0.25f;
        Assert.Equal(0.25 / Math.Sqrt(norm), drift.WeightChange(net, 0), 1e-6);

        var q = net.Layers[1].FeedbackWeights.Span; // Q_L = Id
        for (int i = 0; i < q.Length; i++) q[i] *= 1.1f;
        Assert.Equal(0.1, drift.FeedbackChange(net, 1), 1e-6);
        Assert.Equal(0.0, drift.FeedbackChange(net, 0)); // other tensors untouched
    }

    [Fact]
    public void TakingColumnsMarksTheCurrentParametersAndTheRowBeforeTrainingIsNaN()
    {
        var net = DfcTestNets.Build([4, 3, 2], linear: false);
        var drift = new ParameterDrift(net);
        drift.Mark(net);
        net.Layers[0].Weights.Span[0] += 1f;

        var before = drift.TakeColumns(null).ToArray(); // no network: NaN, and no new mark
        Assert.Equal(["w_change_l1", "w_change_l2", "q_change_l1", "q_change_l2"], before.Select(kv => kv.Key));
        Assert.All(before, kv => Assert.True(double.IsNaN(kv.Value), kv.Key));

        var epoch = drift.TakeColumns(net).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.True(epoch["w_change_l1"] > 0);
        Assert.Equal(0.0, epoch["q_change_l1"]);
        var next = drift.TakeColumns(net).ToDictionary(kv => kv.Key, kv => kv.Value); // marked by the previous call
        Assert.Equal(0.0, next["w_change_l1"]);
    }

    [Fact]
    public void AZeroMarkGivesNaN()
    {
        var net = DfcTestNets.Build([4, 3, 2], linear: false);
        net.Layers[0].FeedbackWeights.Span.Clear();
        var drift = new ParameterDrift(net);
        drift.Mark(net);
        net.Layers[0].FeedbackWeights.Span[0] = 1f;
        Assert.True(double.IsNaN(drift.FeedbackChange(net, 0)));
    }
}
