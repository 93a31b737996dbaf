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
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("best_validation").ValueKind); // no validation
    }

    [Fact]
    public void The_summary_names_the_best_validation_epoch_also_across_a_resume()
    {
        using var tmp = new TempDir();
        var dir = RunDirectory.Create(tmp.File("run"), "demo");
        EpochMetrics Row(int epoch, double val, double test) =>
            new() { Epoch = epoch, ValidationAccuracy = val, ValidationLoss = 1 - val, TestAccuracy = test, TestLoss = 1 - test };
        using (var recorder = new RunRecorder(dir, "demo"))
        {
            recorder.OnEpoch(new EpochMetrics { Epoch = 0, TestAccuracy = 0.1 }); // no validation: never the best
            Assert.Null(recorder.KeptEpoch);
            recorder.OnEpoch(Row(1, 0.80, 0.79));
            recorder.OnEpoch(Row(2, 0.90, 0.88)); // the best, kept across the resume
            recorder.OnEpoch(Row(3, 0.85, 0.86));
            recorder.OnEpoch(Row(4, 0.95, 0.94)); // dropped by the resume after epoch 3
            recorder.FinishIncomplete();
        }
        using (var doc = JsonDocument.Parse(File.ReadAllText(dir.SummaryPath)))
            Assert.Equal(4, doc.RootElement.GetProperty("best_validation").GetProperty("epoch").GetInt32());

        using (var recorder = new RunRecorder(dir, "demo", resumeThroughEpoch: 3))
        {
            Assert.Equal(2, recorder.BestValidation?.Epoch);
            recorder.OnEpoch(Row(4, 0.90, 0.95)); // equal validation accuracy: the earlier epoch stays the best
            recorder.OnEpoch(Row(5, 0.70, 0.97));
            Assert.Equal(2, recorder.KeptEpoch); // its checkpoint outlives the pruning
            recorder.Finish(new RunResult(Row(5, 0.70, 0.97), Completed: true, EpochsRun: 5));
        }
        using var summary = JsonDocument.Parse(File.ReadAllText(dir.SummaryPath));
        var best = summary.RootElement.GetProperty("best_validation");
        Assert.Equal(2, best.GetProperty("epoch").GetInt32());
        Assert.Equal(0.90, best.GetProperty("validation_accuracy").GetDouble());
        Assert.Equal(0.88, best.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(1 - 0.88, best.GetProperty("test_loss").GetDouble(), 12);
        Assert.Equal(0.97, summary.RootElement.GetProperty("test_accuracy").GetDouble());
    }

    [Fact]
    public void The_evaluation_before_training_is_never_the_kept_checkpoint_epoch()
    {
        using var tmp = new TempDir();
        var dir = RunDirectory.Create(tmp.File("run"), "demo");
        using var recorder = new RunRecorder(dir, "demo");
        // epoch-000000 holds the state after the feedback pre-training, not the evaluated one before it
        recorder.OnEpoch(new EpochMetrics { Epoch = 0, ValidationAccuracy = 0.9, TestAccuracy = 0.9 });
        recorder.OnEpoch(new EpochMetrics { Epoch = 1, ValidationAccuracy = 0.5, TestAccuracy = 0.5 });
        Assert.Equal(0, recorder.BestValidation?.Epoch);
        Assert.Null(recorder.KeptEpoch);
    }
}
