using Apical.Tests.Shared;
using System.Runtime.InteropServices;
using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>Runs one config on the in-process engine and on the actor runtime and asserts bit equality of
/// every parameter and every per-epoch metric (wall-clock figures excepted).</summary>
internal static class EngineComparison
{
    public static DataSplits TinySplits() => new(
        TinyNetworks.Classification(80, 6, 3, seed: 11),
        TinyNetworks.Classification(24, 6, 3, seed: 12),
        TinyNetworks.Classification(30, 6, 3, seed: 13));

    public static RunConfig TinyConfig(RuleKind rule, int depth, int epochs = 2) =>
        WithEvaluationBatch(TinyNetworks.Config(rule, new[] { 6, 8, 5, 3 }, TinyNetworks.Sgd(0.1), batchSize: 16,
            pipelineDepth: depth, epochs: epochs));

    private static RunConfig WithEvaluationBatch(RunConfig c) => new()
    {
        Name = c.Name, Seed = c.Seed, Epochs = c.Epochs, Rule = c.Rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
        BatchSize = c.BatchSize, Optimizer = c.Optimizer, Engine = c.Engine,
        Evaluation = new EvaluationSpec { BatchSize = 10, AtStart = true, Validation = true, Test = true },
    };

    /// <summary>Returns the actor run's parameters so callers can make further checks.</summary>
    public static void AssertSameAsInProcess(ActorSystem system, ILayerHost host, RunConfig config, DataSplits data,
        ActorRunOptions? options = null, Action<RunCoordinator>? inspect = null)
    {
        var expectedObserver = new RecordingObserver();
        using var expected = new TrainingSession(config, data);
        var initial = Snapshot(expected);
        var expectedResult = expected.Run(expectedObserver, default);
        Assert.True(expectedResult.Completed);

        var actualObserver = new RecordingObserver();
        using var actual = ActorTrainer.CreateSession(system, host, config, data, options);
        var actualResult = actual.Run(actualObserver, default);
        Assert.True(actualResult.Completed);
        Assert.Equal(expectedResult.EpochsRun, actualResult.EpochsRun);

        var coordinator = Assert.IsType<RunCoordinator>(actual.RunEngine);
        var parameters = coordinator.GetParameters();
        int compared = 0;
        bool changed = false;
        foreach (var layer in expected.Network.Layers)
        {
            var mine = parameters[layer.Id];
            Assert.Equal(layer.Parameters.Count, mine.Count);
            for (int i = 0; i < mine.Count; i++)
            {
                var want = layer.Parameters[i];
                var got = mine[i];
                Assert.Equal(want.Name, got.Name);
                Assert.Equal(want.Tensor.Rows, got.Tensor.Rows);
                Assert.Equal(want.Tensor.Cols, got.Tensor.Cols);
                var wantBits = MemoryMarshal.Cast<float, int>(want.Tensor.ReadOnlySpan);
                var gotBits = MemoryMarshal.Cast<float, int>(got.Tensor.ReadOnlySpan);
                for (int k = 0; k < wantBits.Length; k++)
                    if (wantBits[k] != gotBits[k])
                        Assert.Fail($"{layer.Name}.{want.Name}[{k}]: actors {got.Tensor.Data[k]:R} vs in-process {want.Tensor.Data[k]:R}");
                if (!want.Tensor.ReadOnlySpan.SequenceEqual(initial[(layer.Id, want.Name)])) changed = true;
                compared++;
            }
        }
        Assert.True(compared >= 6, $"only {compared} parameter tensors compared");
        Assert.True(changed, "training did not change any parameter: the comparison proves nothing");

        Assert.Equal(expectedObserver.Epochs.Count, actualObserver.Epochs.Count);
        Assert.Equal(config.Epochs + 1, actualObserver.Epochs.Count);
        for (int e = 0; e < expectedObserver.Epochs.Count; e++)
            AssertSameMetrics(expectedObserver.Epochs[e], actualObserver.Epochs[e]);
        Assert.Equal(expectedObserver.Batches, actualObserver.Batches);
        inspect?.Invoke(coordinator);
    }

    private static Dictionary<(int, string), float[]> Snapshot(TrainingSession s)
    {
        var d = new Dictionary<(int, string), float[]>();
        foreach (var l in s.Network.Layers)
            foreach (var p in l.Parameters) d[(l.Id, p.Name)] = p.Tensor.ReadOnlySpan.ToArray();
        return d;
    }

    internal static void AssertSameMetrics(EpochMetrics want, EpochMetrics got)
    {
        Assert.Equal(want.Epoch, got.Epoch);
        Assert.Equal(want.Step, got.Step);
        Same(want.TrainLoss, got.TrainLoss, "train loss", want.Epoch);
        Same(want.TrainAccuracy, got.TrainAccuracy, "train accuracy", want.Epoch);
        Same(want.ValidationLoss, got.ValidationLoss, "validation loss", want.Epoch);
        Same(want.ValidationAccuracy, got.ValidationAccuracy, "validation accuracy", want.Epoch);
        Same(want.TestLoss, got.TestLoss, "test loss", want.Epoch);
        Same(want.TestAccuracy, got.TestAccuracy, "test accuracy", want.Epoch);
        Assert.Equal(want.Extra.Count, got.Extra.Count);
        for (int i = 0; i < want.Extra.Count; i++)
        {
            Assert.Equal(want.Extra[i].Key, got.Extra[i].Key);
            Same(want.Extra[i].Value, got.Extra[i].Value, want.Extra[i].Key, want.Epoch);
        }
        Assert.False(double.IsNaN(got.TestLoss), "the test split was not evaluated");
    }

    private static void Same(double want, double got, string what, int epoch)
    {
        if (BitConverter.DoubleToInt64Bits(want) != BitConverter.DoubleToInt64Bits(got))
            Assert.Fail($"epoch {epoch} {what}: actors {got:R} vs in-process {want:R}");
    }
}
