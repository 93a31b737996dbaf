using System.Text.Json;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Xunit;

namespace Apical.Core.Tests.Metrics;

public class RunRecorderTests
{
    private sealed class Counting : IRunObserver
    {
        public int Events, Batches, Epochs;
        public void OnEvent(string message) => Events++;
        public void OnBatch(in BatchProgress progress) => Batches++;
        public void OnEpoch(EpochMetrics metrics) => Epochs++;
    }

    [Fact]
    public void Records_rows_and_events_forwards_everything_and_finishes_with_a_summary()
    {
        using var tmp = new TempDir();
        var dir = RunDirectory.Create(tmp.File("run"), "demo");
        var inner = new Counting();
        var last = new EpochMetrics { Epoch = 2, TestAccuracy = 0.5 };
        using (var recorder = new RunRecorder(dir, "demo", inner))
        {
            recorder.OnEvent("hello");
            recorder.OnBatch(new BatchProgress(1, 2, 1, 10, 0.1, 0.2, 100));
            recorder.OnEpoch(new EpochMetrics { Epoch = 1, TestAccuracy = 0.25 });
            recorder.OnEpoch(last);
            recorder.Finish(new RunResult(last, Completed: true, EpochsRun: 2));
        }

        Assert.Equal((1, 1, 2), (inner.Events, inner.Batches, inner.Epochs));
        Assert.Equal([1, 2], MetricsCsv.Read(dir.MetricsPath).Select(r => r.Epoch));
        var events = File.ReadAllLines(dir.EventsPath);
        Assert.Equal(3, events.Length);
        Assert.EndsWith(" hello", events[0]);
        Assert.Contains("epoch 2", events[2]);
        using var summary = JsonDocument.Parse(File.ReadAllText(dir.SummaryPath));
        Assert.True(summary.RootElement.GetProperty("completed").GetBoolean());
        Assert.Equal(0.5, summary.RootElement.GetProperty("test_accuracy").GetDouble());
    }

    [Fact]
    public void An_incomplete_finish_uses_the_last_recorded_row()
    {
        using var tmp = new TempDir();
        var dir = RunDirectory.Create(tmp.File("run"), "demo");
        using (var recorder = new RunRecorder(dir, "demo"))
        {
            recorder.OnEpoch(new EpochMetrics { Epoch = 1, TestAccuracy = 0.3 });
            recorder.FinishIncomplete();
        }
        using var summary = JsonDocument.Parse(File.ReadAllText(dir.SummaryPath));
        Assert.False(summary.RootElement.GetProperty("completed").GetBoolean());
        Assert.Equal(1, summary.RootElement.GetProperty("epochs_run").GetInt32());
        Assert.Equal(0.3, summary.RootElement.GetProperty("test_accuracy").GetDouble());
    }
}
