using Apical.Actors.Tests.TestSupport;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary><c>apical train --engine actors</c> on tiny DFC and Strong-DFC runs (MNIST-1D) against
/// <c>--engine inproc</c>, and the sweep schedule refused on actors before a run directory exists.</summary>
public sealed class DfcTrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apical-dfc-").FullName;

    private static string Config(string rule, string schedule = "jacobi") => $$"""
        {
          "name": "tiny-{{rule}}",
          "seed": 4,
          "epochs": 1,
          "rule": "{{rule}}",
          "data": { "name": "mnist1d", "trainLimit": 48, "testLimit": 40 },
          "network": { "layers": [ { "out": 12, "activation": "tanh" }, { "out": 10, "activation": "linear" } ] },
          "batchSize": 16,
          "optimizer": { "type": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.99, "clipNorm": 1.0 },
          "evaluation": { "batchSize": 20, "atStart": true },
          "dfc": {
            "forward": { "dt": 0.01, "steps": 30, "tauV": 0.05, "alpha": 0.001, "kp": 2, "noise": "{{(rule == "dfc" ? "none" : "low-pass")}}", "sigma": 0.01, "schedule": "{{schedule}}" },
            "feedback": { "dt": 0.002, "steps": 20, "tauV": 0.01, "tauFb": {{(rule == "dfc" ? "0.3" : "-1")}}, "alpha": 0.25, "kp": 0.1,
                          "noise": "{{(rule == "dfc" ? "white" : "low-pass")}}", "sigma": 0.01, "schedule": "{{schedule}}" },
            "targetStepsize": 0.1,
            "targetClassValue": {{(rule == "dfc" ? "1.0" : "0.9")}},
            "tauNoise": 0.05,
            "scalingFbUpdates": {{(rule == "dfc" ? "false" : "true")}},
            "initFbEpochs": 1,
            "probeBatchSize": 8,
            "feedbackOptimizer": { "type": "adam", "lr": 0.002, "beta1": 0.99, "beta2": 0.99, "weightDecay": 0.025, "clipNorm": 1.0 },
            "pretrainOptimizer": { "type": "adam", "lr": 0.002, "beta1": 0.99, "beta2": 0.99, "weightDecay": 0.025, "clipNorm": 1.0 }
          }
        }
        """;

    [Theory]
    [InlineData("dfc")]
    [InlineData("strong-dfc")]
    public void Train_on_actors_gives_the_metrics_of_the_in_process_engine(string rule)
    {
        var configPath = Path.Combine(_dir, $"{rule}.json");
        File.WriteAllText(configPath, Config(rule));
        var wait = TimeSpan.FromSeconds(120);
        using (var actors = ApicalProcess.Start("train", "--config", configPath, "--engine", "actors", "--out", Path.Combine(_dir, "actors")))
            Assert.True(actors.WaitForExit(wait) == 0, actors.Tail());
        using (var local = ApicalProcess.Start("train", "--config", configPath, "--engine", "inproc", "--out", Path.Combine(_dir, "inproc")))
            Assert.True(local.WaitForExit(wait) == 0, local.Tail());

        Assert.Contains("1 worker node(s), placement colocate", File.ReadAllText(Path.Combine(_dir, "actors", "events.log")));
        var expected = MetricsCsv.Deterministic(Path.Combine(_dir, "inproc", "metrics.csv"));
        var actual = MetricsCsv.Deterministic(Path.Combine(_dir, "actors", "metrics.csv"));
        Assert.Equal(2, expected.Count); // epochs 0 and 1
        Assert.Contains("condition2", File.ReadLines(Path.Combine(_dir, "actors", "metrics.csv")).First());
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_sweep_schedule_on_actors_is_a_config_error_naming_the_field()
    {
        var configPath = Path.Combine(_dir, "sweep.json");
        File.WriteAllText(configPath, Config("dfc", schedule: "sweep"));
        using var p = ApicalProcess.Start("train", "--config", configPath, "--engine", "actors", "--out", Path.Combine(_dir, "never"));
        Assert.Equal(2, p.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(p.Lines, l => l.Contains("dfc.forward.schedule: the actor runtime runs the Jacobi schedule only", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
