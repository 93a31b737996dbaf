using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Gle;
using Apical.Core.Tests.TestSupport;
using Xunit;
using static Apical.Core.Tests.Rules.Gle.GleTestSupport;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>The MNIST-1D driver: determinism, delivery-order independence, the batch-size tiling rule (check 13)
/// and the experiment dispatch.</summary>
public class GleSessionTests
{
    private static readonly Lazy<DataSplits> Data = new(() =>
        Mnist1dData.Load(new DataSpec { Name = DatasetNames.Mnist1d, TrainLimit = 40, TestLimit = 20 }));

    /// <summary>The shipped MNIST-1D config, scaled down: batch 10, evaluation batch 20.</summary>
    private static RunConfig Small()
    {
        var text = File.ReadAllText(RepoFiles.Find("configs/mnist1d-gle.json"))
            .Replace("\"batchSize\": 100", "\"batchSize\": 10")
            .Replace("\"batchSize\": 1000", "\"batchSize\": 20")
            .Replace("\"epochs\": 150", "\"epochs\": 1");
        return RunConfigLoader.Parse(text, "small");
    }

    private static float[] Snapshot(GleSession s)
    {
        var all = new List<float>();
        foreach (var l in s.Network.Layers)
        {
            all.AddRange(l.Weights.ReadOnlySpan.ToArray());
            all.AddRange(l.Bias.ReadOnlySpan.ToArray());
            all.AddRange(l.U.ReadOnlySpan.ToArray());
            all.AddRange(l.V.ReadOnlySpan.ToArray());
        }
        return [.. all];
    }

    private static float[] TrainTestTrain(int? shuffle)
    {
        using var s = new GleSession(Small(), Data.Value, deliveryShuffleSeed: shuffle);
        s.TrainEpoch(1);
        s.Test();
        foreach (var l in s.Network.Layers) Assert.Equal(20, l.U.Rows); // tiled to the evaluation batch
        s.TrainEpoch(2);
        foreach (var l in s.Network.Layers) Assert.Equal(10, l.U.Rows); // back to the first training rows
        return Snapshot(s);
    }

    [Fact]
    public void RunsAreDeterministicAndIndependentOfDeliveryOrder()
    {
        var a = TrainTestTrain(null);
        var b = TrainTestTrain(null);
        var c = TrainTestTrain(17);
        Assert.True(a.AsSpan().SequenceEqual(b), "two identical runs differ");
        Assert.True(a.AsSpan().SequenceEqual(c), "shuffled message delivery changed the result");
    }

    [Fact]
    public void GrowingTheBatchTilesTheStateAndShrinkingKeepsTheFirstRows()
    {
        var rng = CounterRng.For(8, 0, 0, RngPurpose.Noise);
        var tau = new float[3]; Array.Fill(tau, 1f);
        var tauR = new float[3]; Array.Fill(tauR, 0.1f);
        var layer = new GleLayer(new GleLayerOptions
        {
            Id = 1, Name = "l", InSize = 2, OutSize = 3, BatchSize = 2, BatchCapacity = 8, SendFeedback = true,
            TauM = tau, TauR = tauR, Dt = 0.1f, Learn = false,
        });
        var outbox = new CaptureOutbox(layer, 8);
        for (int k = 0; k < 5; k++)
            layer.Fire(0, Phase.Train, k, [Msg(MessageKind.Rates, Normal(2, 2, ref rng)), Msg(MessageKind.Feedback, Normal(2, 3, ref rng))], outbox);
        var before = layer.U.Clone();

        // Six rows of input, each row r a copy of row r mod 2; feedback still of the old batch size.
        var x = Normal(2, 2, ref rng);
        var x6 = new Tensor(6, 2);
        for (int r = 0; r < 6; r++) x.Row(r % 2).CopyTo(x6.Row(r));
        layer.Fire(0, Phase.Test, 5, [Msg(MessageKind.Rates, x6), Msg(MessageKind.Feedback, Normal(2, 3, ref rng))], outbox);
        Assert.Equal(6, layer.U.Rows);
        for (int r = 2; r < 6; r++) Assert.True(layer.U.Row(r).SequenceEqual(layer.U.Row(r % 2)), $"row {r} is not a tile");
        Assert.False(layer.U.Row(0).SequenceEqual(before.Row(0)), "the state did not advance");

        var keep = layer.U.Clone();
        layer.Fire(0, Phase.Train, 6, [Msg(MessageKind.Rates, x), Msg(MessageKind.Feedback, Normal(6, 3, ref rng))], outbox);
        Assert.Equal(2, layer.U.Rows);
        // The first two rows continued from where they were (not reset): a zero state would give another value.
        var fresh = new GleLayer(layer.Options);
        fresh.Fire(0, Phase.Train, 0, [Msg(MessageKind.Rates, x), Msg(MessageKind.Feedback, Normal(2, 3, ref rng))], new CaptureOutbox(fresh, 8));
        Assert.False(layer.U.Row(0).SequenceEqual(fresh.U.Row(0)));
        Assert.Equal(6, keep.Rows);
    }

    [Fact]
    public void ExperimentDispatchesGleAndReportsEpochs()
    {
        var observer = new NullObserver();
        var result = Experiment.Run(Small(), Data.Value, observer, CancellationToken.None);
        Assert.True(result.Completed);
        Assert.Equal(2, observer.Epochs.Count); // epoch 0 (evaluation at start) and epoch 1
        var last = observer.Epochs[^1];
        Assert.InRange(last.TestAccuracy, 0, 1);
        Assert.True(double.IsFinite(last.TrainLoss) && double.IsFinite(last.TestLoss));
        Assert.Contains(last.Extra, kv => kv.Key == "cpu_ms_per_sample");
    }

    [Fact]
    public void StreamTaskRunsThroughTheExperiment()
    {
        var text = File.ReadAllText(RepoFiles.Find("configs/lagnet-gle.json"))
            .Replace("\"steps\": 100100", "\"steps\": 2000").Replace("\"epochs\": 100", "\"epochs\": 2");
        var config = RunConfigLoader.Parse(text, "lagnet-short");
        var observer = new NullObserver();
        var result = Experiment.Run(config, DatasetLoader.Load(config.Data, null), observer, CancellationToken.None);
        Assert.True(result.Completed);
        Assert.Equal(2, observer.Epochs.Count);
        Assert.Contains(observer.Epochs[^1].Extra, kv => kv.Key == "layer1.w0");
    }
}
