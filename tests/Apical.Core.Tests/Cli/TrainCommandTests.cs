using System.Text.Json;
using Apical.Cli;
using Apical.Core.Metrics;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

/// <summary>`apical train` end to end, on a generated teacher–student task (no download).</summary>
public class TrainCommandTests
{
    private static string Config(string dataExtra = "") => $$"""
        {
          "name": "ts", "epochs": 3, "rule": "bp", "loss": "mse", "batchSize": 16,
          "data": { "name": "teacher-student", "teacher": { "inputSize": 6, "hiddenSizes": [8], "outputSize": 2, "trainSize": 256, "testSize": 64, "seed": 3 } {{dataExtra}} },
          "network": { "layers": [ { "out": 16 }, { "out": 2, "activation": "linear" } ] },
          "optimizer": { "type": "adam", "lr": 0.01 },
          "evaluation": { "batchSize": 64 }
        }
        """;

    [Fact]
    public void ATrainingRunWritesEveryFileAndLearns()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("ts.json"), Config());
        var (code, output, error) = CliRunner.Run("train", "--config", tmp.File("ts.json"), "--out", tmp.File("run"));
        Assert.True(code == ExitCodes.Ok, error);
        var dir = RunDirectory.Existing(tmp.File("run"));
        foreach (var f in new[] { dir.ConfigPath, dir.MetricsPath, dir.SummaryPath, dir.EventsPath, dir.CurvesPath })
            Assert.True(File.Exists(f), $"{f} missing");
        var rows = MetricsCsv.Read(dir.MetricsPath);
        Assert.Equal(4, rows.Count); // epoch 0 evaluation plus 3 epochs
        Assert.True(rows[^1].TestLoss < rows[0].TestLoss * 0.8, $"test loss {rows[0].TestLoss} -> {rows[^1].TestLoss}");
        using var summary = JsonDocument.Parse(File.ReadAllText(dir.SummaryPath));
        Assert.True(summary.RootElement.GetProperty("completed").GetBoolean());
        Assert.Contains("run directory", output);
    }

    [Fact]
    public void AMissingDataSetIsAConfigErrorAndCreatesNoRunDirectory()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("empty"));
        string json = """
            {
              "name": "m", "epochs": 1,
              "data": { "name": "mnist", "path": PATH },
              "network": { "layers": [ { "out": 10, "activation": "linear" } ] }
            }
            """.Replace("PATH", JsonSerializer.Serialize(tmp.File("empty")));
        File.WriteAllText(tmp.File("m.json"), json);
        var (code, _, error) = CliRunner.Run("train", "--config", tmp.File("m.json"), "--out", tmp.File("run"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("m.json", error);
        Assert.Contains(": data", error);
        Assert.False(Directory.Exists(tmp.File("run")));
    }

    [Fact]
    public void AResumedRunContinuesItsFilesAndMatchesAStraightRun()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("ts.json"), Config());
        var straight = CliRunner.Run("train", "--config", tmp.File("ts.json"), "--out", tmp.File("straight"), "--epochs", "4");
        Assert.True(straight.Code == ExitCodes.Ok, straight.Err);
        var first = CliRunner.Run("train", "--config", tmp.File("ts.json"), "--out", tmp.File("run"), "--epochs", "2");
        Assert.True(first.Code == ExitCodes.Ok, first.Err);
        var resumed = CliRunner.Run("train", "--resume", tmp.File("run"), "--epochs", "4");
        Assert.True(resumed.Code == ExitCodes.Ok, resumed.Err);

        var want = MetricsCsv.Read(Path.Combine(tmp.File("straight"), RunDirectory.MetricsFile));
        var got = MetricsCsv.Read(Path.Combine(tmp.File("run"), RunDirectory.MetricsFile));
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, got.Select(r => r.Epoch));
        Assert.Equal(want[^1].TestLoss, got[^1].TestLoss);
        Assert.Equal(want[^1].TrainLoss, got[^1].TrainLoss);
        Assert.Contains("\"epochs\": 4", File.ReadAllText(Path.Combine(tmp.File("run"), RunDirectory.ConfigFile)));
        Assert.Contains("continuing from checkpoint", File.ReadAllText(Path.Combine(tmp.File("run"), RunDirectory.EventsFile)));
    }

    [Fact]
    public void SetChangesOneFieldForThisRunAndTheRunRecordsIt()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("ts.json"), Config());
        var run = CliRunner.Run("train", "--config", tmp.File("ts.json"), "--out", tmp.File("run"),
            "--set", "network.layers.0.out=5", "--set", "optimizer.lr=0.02");
        Assert.True(run.Code == ExitCodes.Ok, run.Err);
        var recorded = Apical.Core.Model.RunConfigLoader.Load(Path.Combine(tmp.File("run"), RunDirectory.ConfigFile));
        Assert.Equal(5, recorded.Network.Layers[0].Out);
        Assert.Equal(0.02, recorded.Optimizer.LearningRate);
        Assert.Contains("--set network.layers.0.out=5, optimizer.lr=0.02", File.ReadAllText(Path.Combine(tmp.File("run"), RunDirectory.EventsFile)));
        Assert.Contains("{ \"out\": 16 }", File.ReadAllText(tmp.File("ts.json"))); // the config file itself is untouched

        var bad = CliRunner.Run("train", "--config", tmp.File("ts.json"), "--out", tmp.File("bad"), "--set", "optimizer.lr=-1");
        Assert.Equal(ExitCodes.Usage, bad.Code);
        Assert.Contains("--set: optimizer.lr", bad.Err);
        Assert.False(Directory.Exists(tmp.File("bad")));

        var resumed = CliRunner.Run("train", "--resume", tmp.File("run"), "--set", "optimizer.lr=0.1");
        Assert.Equal(ExitCodes.Usage, resumed.Code);
        Assert.Contains("--from and --set", resumed.Err);
    }

    [Fact]
    public void ResumeRejectsADirectoryWithoutCheckpointsAndConflictingOptions()
    {
        using var tmp = new TempDir();
        var conflict = CliRunner.Run("train", "--resume", tmp.Path, "--seed", "3");
        Assert.Equal(ExitCodes.Usage, conflict.Code);
        Assert.Contains("--resume", conflict.Err);
        File.WriteAllText(tmp.File(RunDirectory.ConfigFile), Config());
        var empty = CliRunner.Run("train", "--resume", tmp.Path);
        Assert.Equal(ExitCodes.Usage, empty.Code);
        Assert.Contains("no checkpoint", empty.Err);
    }
}
