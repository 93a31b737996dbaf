using Apical.Cli;
using Apical.Core.Metrics;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

/// <summary>`apical train --resume` of a Strong-DFC run directory (noise on): stopped after epoch 1, continued on
/// either engine, its metrics equal those of the straight run.</summary>
public class DfcResumeCommandTests
{
    internal const string Config = """
        {
          "name": "sdfc-tiny", "seed": 5, "epochs": 3, "rule": "strong-dfc",
          "data": { "name": "mnist1d", "trainLimit": 40, "testLimit": 16 },
          "network": { "layers": [ { "out": 6, "activation": "tanh" }, { "out": 10, "activation": "linear" } ] },
          "loss": "softmax-cross-entropy", "batchSize": 10,
          "optimizer": { "type": "adam", "lr": 0.003, "beta1": 0.9, "beta2": 0.99, "clipNorm": 1.0 },
          "evaluation": { "batchSize": 16, "validation": false, "atStart": true },
          "checkpoint": { "everyEpochs": 1, "keep": 0 },
          "dfc": {
            "diagnostics": true, "probeBatchSize": 8, "initFbEpochs": 1, "targetClassValue": 0.9, "tauNoise": 0.05, "tauF": 0.5,
            "scalingFbUpdates": true,
            "forward": { "dt": 0.01, "steps": 20, "tauV": 0.05, "alpha": 0.001, "kp": 2, "noise": "low-pass", "sigma": 0.01, "schedule": "jacobi" },
            "feedback": { "dt": 0.01, "steps": 20, "tauV": 0.05, "alpha": 0.05, "kp": 0.1, "noise": "low-pass", "sigma": 0.01, "schedule": "jacobi" },
            "feedbackOptimizer": { "type": "adam", "lr": 0.001, "beta1": 0.99, "beta2": 0.999, "weightDecay": 0.01, "clipNorm": 1.0 },
            "pretrainOptimizer": { "type": "adam", "lr": 0.002, "beta1": 0.99, "beta2": 0.999, "weightDecay": 0.01, "clipNorm": 1.0 }
          }
        }
        """;

    [Theory]
    [InlineData("inproc")]
    [InlineData("actors")]
    public void AStoppedRunResumedFromItsDirectoryMatchesTheStraightRun(string engine)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("sdfc.json"), Config);
        var straight = CliRunner.Run("train", "--config", tmp.File("sdfc.json"), "--engine", "inproc", "--out", tmp.File("straight"));
        Assert.True(straight.Code == ExitCodes.Ok, straight.Err);
        var first = CliRunner.Run("train", "--config", tmp.File("sdfc.json"), "--engine", "inproc", "--out", tmp.File("run"), "--epochs", "1");
        Assert.True(first.Code == ExitCodes.Ok, first.Err);
        var resumed = CliRunner.Run("train", "--resume", tmp.File("run"), "--engine", engine, "--epochs", "3");
        Assert.True(resumed.Code == ExitCodes.Ok, resumed.Err);

        var want = MetricsCsv.Read(Path.Combine(tmp.File("straight"), RunDirectory.MetricsFile));
        var got = MetricsCsv.Read(Path.Combine(tmp.File("run"), RunDirectory.MetricsFile));
        Assert.Equal(new[] { 0, 1, 2, 3 }, got.Select(r => r.Epoch));
        for (int i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].TestLoss, got[i].TestLoss);
            Assert.Equal(want[i].TestAccuracy, got[i].TestAccuracy);
            Assert.Equal(want[i].TrainLoss, got[i].TrainLoss);
            Assert.Equal(want[i].Extra.Select(kv => kv.Key), got[i].Extra.Select(kv => kv.Key));
            Assert.Equal(want[i].Extra.Select(kv => kv.Value), got[i].Extra.Select(kv => kv.Value));
        }
        Assert.Contains(got[^1].Extra, kv => kv.Key == "condition2" && double.IsFinite(kv.Value));
        Assert.Contains("continuing from checkpoint", File.ReadAllText(Path.Combine(tmp.File("run"), RunDirectory.EventsFile)));
    }
}
