using System.Text.RegularExpressions;
using Apical.Actors.Tests.TestSupport;
using Xunit;

namespace Apical.Actors.Tests.Cluster;

/// <summary>Two <c>apical node</c> processes and <c>apical train --cluster</c> as a client, against <c>--engine inproc</c>.</summary>
public sealed class MultiProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apical-mp-").FullName;

    private const string Config = """
        {
          "name": "mp",
          "seed": 3,
          "epochs": 2,
          "rule": "bp",
          "data": { "name": "teacher-student", "teacher": { "inputSize": 10, "outputSize": 4, "trainSize": 256, "testSize": 64 } },
          "network": { "layers": [ { "out": 12 }, { "out": 8 }, { "out": 4, "activation": "linear" } ] },
          "loss": "mse",
          "batchSize": 32,
          "optimizer": { "type": "sgd", "lr": 0.05 },
          "engine": { "pipelineDepth": 1 },
          "evaluation": { "batchSize": 64 }
        }
        """;

    [Fact]
    public void Training_on_two_node_processes_matches_the_in_process_engine()
    {
        var configPath = Path.Combine(_dir, "mp.json");
        File.WriteAllText(configPath, Config);
        var wait = TimeSpan.FromSeconds(60);

        using var seed = ApicalProcess.Start("node", "--port", "0");
        var address = seed.WaitForLine("node: akka.tcp://", wait);
        var port = Regex.Match(address, @"@127\.0\.0\.1:(\d+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(port), address);
        using var second = ApicalProcess.Start("node", "--port", "0", "--seed", $"127.0.0.1:{port}");
        seed.WaitForLine("node: member up", wait);
        second.WaitForLine("node: member up", wait);

        using (var client = ApicalProcess.Start("train", "--config", configPath, "--cluster", $"127.0.0.1:{port}",
                   "--placement", "spread", "--out", Path.Combine(_dir, "cluster")))
            Assert.True(client.WaitForExit(wait) == 0, client.Tail());
        using (var local = ApicalProcess.Start("train", "--config", configPath, "--engine", "inproc", "--out", Path.Combine(_dir, "inproc")))
            Assert.True(local.WaitForExit(wait) == 0, local.Tail());

        var events = File.ReadAllText(Path.Combine(_dir, "cluster", "events.log"));
        Assert.Contains("2 worker node(s), placement spread", events);
        var expected = MetricsCsv.Deterministic(Path.Combine(_dir, "inproc", "metrics.csv"));
        var actual = MetricsCsv.Deterministic(Path.Combine(_dir, "cluster", "metrics.csv"));
        Assert.Equal(3, expected.Count); // epochs 0, 1, 2
        Assert.Equal(expected, actual);

        seed.Terminate();
        second.Terminate();
        Assert.Equal(0, second.WaitForExit(wait));
        Assert.Equal(0, seed.WaitForExit(wait));
        Assert.Contains(second.Lines, l => l == "node: stopped");
    }

    [Theory]
    [InlineData("train --placement random", "--placement: unknown placement 'random'")]
    [InlineData("train --cluster nohost", "--cluster: 'nohost' is not HOST:PORT")]
    [InlineData("train --engine inproc --cluster 127.0.0.1:1", "--cluster needs the actor runtime")]
    [InlineData("node --port 70000", "--port: must be 0..65535")]
    [InlineData("node --port 1 --seed 127.0.0.1:x", "--seed: '127.0.0.1:x': port must be 1..65535")]
    public void Bad_cluster_arguments_are_usage_errors(string args, string message)
    {
        var configPath = Path.Combine(_dir, "mp.json");
        File.WriteAllText(configPath, Config);
        var argv = args.Split(' ').ToList();
        if (argv[0] == "train") argv.AddRange(new[] { "--config", configPath, "--out", Path.Combine(_dir, "never") });
        using var p = ApicalProcess.Start(argv.ToArray());
        Assert.Equal(2, p.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(p.Lines, l => l.Contains(message, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
