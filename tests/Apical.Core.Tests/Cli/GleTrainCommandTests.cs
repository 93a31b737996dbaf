using Apical.Cli;
using Apical.Core.Metrics;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

/// <summary>`apical train` of a GLE config on the in-process engine and on the actor runtime (embedded cluster).</summary>
public class GleTrainCommandTests
{
    private const string Config = """
        {
          "name": "gle-tiny", "seed": 5, "epochs": 2, "rule": "gle",
          "data": { "name": "mnist1d", "trainLimit": 30, "testLimit": 16 },
          "network": { "layers": [ { "out": 6, "activation": "tanh" }, { "out": 10, "activation": "linear" } ] },
          "loss": "softmax-cross-entropy", "batchSize": 10,
          "optimizer": { "type": "adam", "lr": 0.003 },
          "evaluation": { "batchSize": 16, "validation": false },
          "gle": {
            "dt": 0.2, "inputChannels": 6, "plateau": { "patience": 0, "threshold": 0.9 },
            "layers": [
              { "tauM": [ { "count": 3, "value": 0.6 }, { "count": 3, "value": 1.2 } ], "tauR": [ { "count": 3, "value": 0.2 }, { "count": 3, "value": 1.2 } ] },
              { "tauM": [ { "value": 1.2 } ] }
            ]
          }
        }
        """;

    [Fact]
    public void ActorsEngineGivesTheSameMetricsAsInProcess()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("gle.json"), Config);
        var inproc = CliRunner.Run("train", "--config", tmp.File("gle.json"), "--engine", "inproc", "--out", tmp.File("inproc"));
        Assert.True(inproc.Code == ExitCodes.Ok, inproc.Err);
        var actors = CliRunner.Run("train", "--config", tmp.File("gle.json"), "--engine", "actors", "--placement", "spread", "--out", tmp.File("actors"));
        Assert.True(actors.Code == ExitCodes.Ok, actors.Err);

        var want = MetricsCsv.Read(Path.Combine(tmp.File("inproc"), RunDirectory.MetricsFile));
        var got = MetricsCsv.Read(Path.Combine(tmp.File("actors"), RunDirectory.MetricsFile));
        Assert.Equal(new[] { 0, 1, 2 }, want.Select(r => r.Epoch));
        Assert.Equal(want.Select(r => r.Epoch), got.Select(r => r.Epoch));
        for (int i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].TestAccuracy, got[i].TestAccuracy);
            Assert.Equal(want[i].TestLoss, got[i].TestLoss);
            Assert.Equal(want[i].TrainLoss, got[i].TrainLoss);
        }
        Assert.True(double.IsFinite(want[^1].TestLoss) && want[^1].TestAccuracy is >= 0 and <= 1);
        Assert.Contains("placement spread", File.ReadAllText(Path.Combine(tmp.File("actors"), RunDirectory.EventsFile)));
        Assert.Contains("final test accuracy", actors.Out);
    }

    [Fact]
    public void EngineDelayIsRejectedForGleWithTheFieldNamed()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("gle.json"), Config.Replace("\"batchSize\": 10,", "\"batchSize\": 10, \"engine\": { \"delay\": 3, \"jitter\": 1 },"));
        var (code, _, error) = CliRunner.Run("train", "--config", tmp.File("gle.json"), "--engine", "actors", "--out", tmp.File("never"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("engine.delay", error);
        Assert.Contains("gle.delay", error);
        Assert.False(Directory.Exists(tmp.File("never")));
    }
}
