using System.Text.Json;
using Apical.Actors.Tests.TestSupport;
using Xunit;

namespace Apical.Actors.Tests.Cli;

/// <summary><c>apical train</c> stopped by SIGTERM (a scheduler, <c>kill</c>, a background job) ends like Ctrl-C: after the
/// current minibatch, with the run's files consistent, and the run resumes to completion.</summary>
public sealed class StopSignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apical-sigterm-").FullName;

    private const string Config = """
        {
          "name": "sigterm",
          "seed": 3,
          "epochs": 400,
          "rule": "bp",
          "data": { "name": "mnist1d", "trainLimit": 400, "testLimit": 100 },
          "network": { "layers": [ { "out": 32, "activation": "tanh" }, { "out": 10, "activation": "linear" } ] },
          "batchSize": 20,
          "optimizer": { "type": "adam", "lr": 0.001 },
          "evaluation": { "batchSize": 100 },
          "checkpoint": { "everyEpochs": 1, "keep": 2 }
        }
        """;

    [Fact]
    public void Sigterm_cancels_after_the_current_minibatch_and_the_run_resumes()
    {
        var configPath = Path.Combine(_dir, "sigterm.json");
        File.WriteAllText(configPath, Config);
        string run = Path.Combine(_dir, "run");
        using (var train = ApicalProcess.Start("train", "--config", configPath, "--out", run))
        {
            train.WaitForLine("epoch 2 ", TimeSpan.FromSeconds(120));
            train.Terminate();
            Assert.Equal(130, train.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains(train.Lines, l => l.StartsWith("SIGTERM: cancelling after the current minibatch", StringComparison.Ordinal));
        }
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))))
        {
            Assert.False(summary.RootElement.GetProperty("completed").GetBoolean());
        }
        Assert.Contains("cancelled after", File.ReadAllText(Path.Combine(run, "events.log")));
        int saved = 0;
        foreach (var d in Directory.GetDirectories(Path.Combine(run, "checkpoints")))
            saved = Math.Max(saved, int.Parse(Path.GetFileName(d)["epoch-".Length..]));
        Assert.InRange(saved, 2, 399); // stopped early, with the last whole epoch saved

        using var resumed = ApicalProcess.Start("train", "--resume", run, "--epochs", (saved + 2).ToString());
        Assert.True(resumed.WaitForExit(TimeSpan.FromSeconds(120)) == 0, resumed.Tail());
        using var done = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.True(done.RootElement.GetProperty("completed").GetBoolean());
        Assert.Contains("config.json, resumed, epochs", File.ReadAllText(Path.Combine(run, "events.log")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
