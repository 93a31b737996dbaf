using Apical.Tests.Shared;
using Apical.Core.Checkpoints;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Tests.Metrics;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Checkpoints;

public class ResumeTests
{
    private static RunConfig Config(int epochs, RuleKind rule = RuleKind.Bp, int depth = 1) =>
        TinyNetworks.Config(rule, new[] { 8, 16, 3 }, new Apical.Core.Optimization.OptimizerSpec { LearningRate = 1e-2 }, 8, pipelineDepth: depth, epochs: epochs);

    private static float[][] Weights(TrainingSession s)
    {
        var list = new List<float[]>();
        foreach (var l in s.Network.Layers) foreach (var p in l.Parameters) list.Add(p.Tensor.ReadOnlySpan.ToArray());
        return list.ToArray();
    }

    [Theory]
    [InlineData(RuleKind.Bp)]
    [InlineData(RuleKind.Fa)]
    public void AResumedRunEqualsAnUninterruptedOneBitForBit(RuleKind rule)
    {
        using var tmp = new TempDir();
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(64, 8, 3, seed: 9));

        using var straight = new TrainingSession(Config(4, rule), splits);
        var straightObserver = new StoringObserver(tmp.File("straight"));
        straight.Run(straightObserver, CancellationToken.None);

        using (var first = new TrainingSession(Config(2, rule), splits))
            first.Run(new StoringObserver(tmp.File("resumed")), CancellationToken.None);
        var latest = RunCheckpoint.Latest(tmp.File("resumed"));
        Assert.EndsWith("epoch-000002", latest);

        using var resumed = new TrainingSession(Config(4, rule), splits);
        resumed.Restore(latest!);
        Assert.Equal(2, resumed.EpochsDone);
        var observer = new StoringObserver(tmp.File("resumed"));
        var result = resumed.Run(observer, CancellationToken.None);

        Assert.True(result.Completed);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(new[] { 3, 4 }, observer.Epochs.Select(e => e.Epoch));
        Assert.Equal(straightObserver.Epochs[^1].TestLoss, observer.Epochs[^1].TestLoss);
        Assert.Equal(straightObserver.Epochs[^1].TrainLoss, observer.Epochs[^1].TrainLoss);
    }

    [Fact]
    public void OnlyTheNewestCheckpointsAreKept()
    {
        using var tmp = new TempDir();
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(32, 8, 3, seed: 9));
        using var s = new TrainingSession(Config(5), splits);
        var observer = new StoringObserver(tmp.File("ck"));
        s.Run(observer, CancellationToken.None);
        var dirs = Directory.GetDirectories(tmp.File("ck")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { "epoch-000004", "epoch-000005" }, dirs);
        Assert.Contains(observer.Events, e => e.StartsWith("checkpoint: "));
    }

    [Fact]
    public void TheKeptEpochsCheckpointOutlivesThePruningUntilAnotherEpochIsKept()
    {
        using var tmp = new TempDir();
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(32, 8, 3, seed: 9));
        using var s = new TrainingSession(Config(6), splits);
        string[] Dirs() => Directory.GetDirectories(tmp.File("ck")).Select(Path.GetFileName).Order().ToArray()!;
        string[]? atEpoch5 = null;
        StoringObserver observer = null!;
        observer = new StoringObserver(tmp.File("ck"))
        {
            OnEventHook = e =>
            {
                if (e.EndsWith("epoch-000001")) observer.KeptEpoch = 1;
                if (!e.EndsWith("epoch-000005")) return;
                atEpoch5 = Dirs();
                observer.KeptEpoch = 4; // a later best: epoch 1's checkpoint may go
            },
        };
        s.Run(observer, CancellationToken.None);
        Assert.Equal(new[] { "epoch-000001", "epoch-000004", "epoch-000005" }, atEpoch5);
        var dirs = Dirs();
        Assert.Equal(new[] { "epoch-000004", "epoch-000005", "epoch-000006" }, dirs);
    }

    [Fact]
    public void ATruncatedCheckpointIsRejectedWithItsFile()
    {
        using var tmp = new TempDir();
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(32, 8, 3, seed: 9));
        using (var s = new TrainingSession(Config(1), splits)) s.Run(new StoringObserver(tmp.File("ck")), CancellationToken.None);
        var dir = RunCheckpoint.Latest(tmp.File("ck"))!;
        var file = Directory.GetFiles(dir, "node-0001-*").Single();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        using var resumed = new TrainingSession(Config(3), splits);
        var e = Assert.Throws<CheckpointException>(() => resumed.Restore(dir));
        Assert.Equal(file, e.FilePath);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ACheckpointOfAnotherNetworkIsRejected()
    {
        using var tmp = new TempDir();
        var splits = TinyNetworks.Splits(TinyNetworks.Classification(32, 8, 3, seed: 9));
        using (var s = new TrainingSession(Config(1), splits)) s.Run(new StoringObserver(tmp.File("ck")), CancellationToken.None);
        var other = TinyNetworks.Config(RuleKind.Bp, new[] { 8, 12, 3 }, TinyNetworks.Sgd(0.1), 8, epochs: 3);
        using var resumed = new TrainingSession(other, splits);
        var e = Assert.Throws<CheckpointException>(() => resumed.Restore(RunCheckpoint.Latest(tmp.File("ck"))!));
        Assert.Contains("expected 12x8", e.Message);
    }
}
