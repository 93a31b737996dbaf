using System.Text.Json;
using Apical.Cli;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

public class TrainPipelineTests
{
    private static TrainServices Fake(Func<IRunObserver, CancellationToken, RunResult> train) => new(
        LoadConfig: _ => new RunConfig { Name = "fake", Epochs = 3, Data = null!, Network = null! },
        WithOverrides: (c, epochs, seed) => new RunConfig { Name = c.Name, Epochs = epochs ?? c.Epochs, Seed = seed ?? c.Seed, Data = c.Data, Network = c.Network },
        ToJson: c => $"{{ \"name\": \"{c.Name}\" }}",
        LoadData: (_, progress) => { progress("loading"); return null!; },
        Train: (_, _, observer, cancel, _) => train(observer, cancel));

    private static EpochMetrics Epoch(int n) => new()
    {
        Epoch = n, Step = n * 10, TrainLoss = 1.0 / n, TrainAccuracy = 0.5 + 0.1 * n, TestLoss = 1.1 / n, TestAccuracy = 0.45 + 0.1 * n,
    };

    private static (int Code, string Out, string Err, RunDirectory Dir) Train(
        TempDir tmp, Func<IRunObserver, CancellationToken, RunResult> train, CancellationTokenSource? cts = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var outDir = tmp.File("run");
        int code = new TrainPipeline(Fake(train), output, error, interactive: false)
            .Run(new TrainOptions(tmp.File("exp.json"), Epochs: 2, Seed: 7, outDir), (cts ?? new()).Token);
        return (code, output.ToString(), error.ToString(), RunDirectory.Existing(outDir));
    }

    private static JsonElement Summary(RunDirectory dir) => JsonDocument.Parse(File.ReadAllText(dir.SummaryPath)).RootElement;

    [Fact]
    public void A_completed_run_leaves_every_file()
    {
        using var tmp = new TempDir();
        var (code, output, _, dir) = Train(tmp, (observer, _) =>
        {
            observer.OnEpoch(Epoch(1));
            observer.OnEpoch(Epoch(2));
            return new RunResult(Epoch(2), Completed: true, EpochsRun: 2);
        });

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("\"fake\"", File.ReadAllText(dir.ConfigPath));
        Assert.Equal(2, MetricsCsv.Read(dir.MetricsPath).Count);
        Assert.True(Summary(dir).GetProperty("completed").GetBoolean());
        Assert.True(File.Exists(dir.CurvesPath));
        var events = File.ReadAllText(dir.EventsPath);
        Assert.Contains("start: fake", events);
        Assert.Contains("data loaded", events);
        Assert.Contains("epoch 2", events);
        Assert.Contains("end: completed 2 epochs", events);
        Assert.Contains("final test accuracy: 65.00%", output);
        Assert.Contains(dir.Path, output);
    }

    [Fact]
    public void A_cancelled_run_exits_130_with_an_incomplete_summary()
    {
        using var tmp = new TempDir();
        using var cts = new CancellationTokenSource();
        var (code, _, error, dir) = Train(tmp, (observer, cancel) =>
        {
            observer.OnEpoch(Epoch(1));
            cts.Cancel(); // Ctrl-C during epoch 2
            Assert.True(cancel.IsCancellationRequested);
            return new RunResult(Epoch(1), Completed: false, EpochsRun: 1);
        }, cts);

        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("cancelled", error);
        Assert.False(Summary(dir).GetProperty("completed").GetBoolean());
        Assert.Equal(1, Summary(dir).GetProperty("epochs_run").GetInt32());
        Assert.Single(MetricsCsv.Read(dir.MetricsPath));
        Assert.True(File.Exists(dir.CurvesPath));
        Assert.Contains("cancelled after 1 of 2 epochs", File.ReadAllText(dir.EventsPath));
    }

    [Fact]
    public void A_failing_run_exits_1_and_keeps_what_it_recorded()
    {
        using var tmp = new TempDir();
        var (code, _, error, dir) = Train(tmp, (observer, _) =>
        {
            observer.OnEpoch(Epoch(1));
            throw new InvalidOperationException("loss is NaN at step 12");
        });

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("loss is NaN at step 12", error);
        Assert.False(Summary(dir).GetProperty("completed").GetBoolean());
        Assert.Single(MetricsCsv.Read(dir.MetricsPath));
        Assert.Contains("failed: System.InvalidOperationException", File.ReadAllText(dir.EventsPath));
    }

    [Fact]
    public void A_second_run_into_the_same_out_directory_is_refused()
    {
        using var tmp = new TempDir();
        Func<IRunObserver, CancellationToken, RunResult> once = (observer, _) =>
        {
            observer.OnEpoch(Epoch(1));
            return new RunResult(Epoch(1), true, 1);
        };
        Train(tmp, once);
        var before = File.ReadAllText(tmp.File(Path.Combine("run", "metrics.csv")));

        var e = Assert.Throws<RunDirectoryException>(() => Train(tmp, once));
        Assert.Contains("--out", e.Message);
        Assert.Equal(before, File.ReadAllText(tmp.File(Path.Combine("run", "metrics.csv"))));
    }
}
