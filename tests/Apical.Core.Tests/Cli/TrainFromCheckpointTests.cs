using Apical.Cli;
using Apical.Core.Metrics;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

/// <summary>`apical train --from CHECKPOINT`: a new run that starts from another run's checkpoint, typically the end of
/// the DFC feedback pre-training, with its own config, seed and directory.</summary>
public class TrainFromCheckpointTests
{
    private static (string Config, string Straight) StraightRun(TempDir tmp)
    {
        File.WriteAllText(tmp.File("sdfc.json"), DfcResumeCommandTests.Config);
        var straight = CliRunner.Run("train", "--config", tmp.File("sdfc.json"), "--out", tmp.File("straight"));
        Assert.True(straight.Code == ExitCodes.Ok, straight.Err);
        return (tmp.File("sdfc.json"), tmp.File("straight"));
    }

    private static IReadOnlyList<EpochMetrics> Rows(string run) => MetricsCsv.Read(Path.Combine(run, RunDirectory.MetricsFile));

    [Fact]
    public void ABranchFromThePretrainingCheckpointContinuesItWithItsOwnSeed()
    {
        using var tmp = new TempDir();
        var (config, straight) = StraightRun(tmp);
        string pretrained = Path.Combine(straight, "checkpoints", "epoch-000000");

        // the same config and seed: the branch is the straight run's training, bit for bit
        var same = CliRunner.Run("train", "--config", config, "--from", pretrained, "--out", tmp.File("same"));
        Assert.True(same.Code == ExitCodes.Ok, same.Err);
        var want = Rows(straight).Where(r => r.Epoch > 0).ToList();
        var got = Rows(tmp.File("same"));
        Assert.Equal(new[] { 1, 2, 3 }, got.Select(r => r.Epoch));
        for (int i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].TrainLoss, got[i].TrainLoss);
            Assert.Equal(want[i].TestLoss, got[i].TestLoss);
            Assert.Equal(want[i].Extra.Select(kv => kv.Value), got[i].Extra.Select(kv => kv.Value));
        }
        Assert.Contains(", from checkpoint ", File.ReadAllText(Path.Combine(tmp.File("same"), RunDirectory.EventsFile))); // the start line

        // another seed: other noise and order from the same pre-trained state
        var other = CliRunner.Run("train", "--config", config, "--from", pretrained, "--seed", "9", "--out", tmp.File("other"));
        Assert.True(other.Code == ExitCodes.Ok, other.Err);
        Assert.NotEqual(want[0].TrainLoss, Rows(tmp.File("other"))[0].TrainLoss);
        Assert.Contains("\"seed\": 9", File.ReadAllText(Path.Combine(tmp.File("other"), RunDirectory.ConfigFile)));
    }

    [Fact]
    public void ARunDirectoryBranchesFromItsNewestCheckpoint()
    {
        using var tmp = new TempDir();
        var (config, straight) = StraightRun(tmp);

        var nothingLeft = CliRunner.Run("train", "--config", config, "--from", straight, "--out", tmp.File("none"));
        Assert.Equal(ExitCodes.Usage, nothingLeft.Code);
        Assert.Contains("after epoch 3", nothingLeft.Err);
        Assert.False(Directory.Exists(tmp.File("none")));

        var more = CliRunner.Run("train", "--config", config, "--from", straight, "--epochs", "4", "--out", tmp.File("more"));
        Assert.True(more.Code == ExitCodes.Ok, more.Err);
        Assert.Equal(new[] { 4 }, Rows(tmp.File("more")).Select(r => r.Epoch));
    }

    [Fact]
    public void BadBranchPointsAreRefusedNamingTheProblem()
    {
        using var tmp = new TempDir();
        var (config, straight) = StraightRun(tmp);

        var both = CliRunner.Run("train", "--from", straight, "--resume", straight);
        Assert.Equal(ExitCodes.Usage, both.Code);
        Assert.Contains("--from", both.Err);

        var missing = CliRunner.Run("train", "--config", config, "--from", tmp.File("nowhere"));
        Assert.Equal(ExitCodes.Usage, missing.Code);
        Assert.Contains("directory not found", missing.Err);

        Directory.CreateDirectory(tmp.File("empty"));
        var neither = CliRunner.Run("train", "--config", config, "--from", tmp.File("empty"), "--out", tmp.File("x"));
        Assert.Equal(ExitCodes.Usage, neither.Code);
        Assert.Contains("neither a checkpoint directory", neither.Err);
        Assert.False(Directory.Exists(tmp.File("x")));

        // a checkpoint of another rule: refused when the nodes load it, naming the file; the new run records the failure
        File.WriteAllText(tmp.File("dfc.json"), DfcResumeCommandTests.Config.Replace("\"rule\": \"strong-dfc\"", "\"rule\": \"dfc\"")
            .Replace("\"targetClassValue\": 0.9", "\"targetClassValue\": 0.9, \"targetStepsize\": 0.1")
            .Replace("\"scalingFbUpdates\": true", "\"scalingFbUpdates\": false")); // Strong-DFC only
        var otherRule = CliRunner.Run("train", "--config", tmp.File("dfc.json"), "--from", Path.Combine(straight, "checkpoints", "epoch-000000"),
            "--out", tmp.File("dfc"));
        Assert.Equal(ExitCodes.Failure, otherRule.Code);
        Assert.Contains("strong-dfc", otherRule.Err);
        Assert.Contains("session.ckpt", otherRule.Err);
    }

    [Fact]
    public void ABranchChangesAFieldWithSetAndRecordsIt()
    {
        using var tmp = new TempDir();
        var (_, straight) = StraightRun(tmp);
        var branch = CliRunner.Run("train", "--config", Path.Combine(straight, RunDirectory.ConfigFile),
            "--from", Path.Combine(straight, "checkpoints", "epoch-000000"), "--set", "engine.delay=2", "--out", tmp.File("delay2"));
        Assert.True(branch.Code == ExitCodes.Ok, branch.Err);
        Assert.Contains("\"delay\": 2", File.ReadAllText(Path.Combine(tmp.File("delay2"), RunDirectory.ConfigFile)));
        Assert.Contains("--set engine.delay=2", File.ReadAllText(Path.Combine(tmp.File("delay2"), RunDirectory.EventsFile)));
        var want = Rows(straight).Where(r => r.Epoch > 0).ToList();
        var got = Rows(tmp.File("delay2"));
        Assert.Equal(want.Select(r => r.Epoch), got.Select(r => r.Epoch));
        Assert.NotEqual(want[0].TrainLoss, got[0].TrainLoss); // the longer loop changes the dynamics from the first batch
    }
}
