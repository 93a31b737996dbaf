using System.Globalization;
using Apical.Core.Checkpoints;
using Apical.Core.Engine;

namespace Apical.Core.Metrics;

/// <summary>Records a run into its directory as it goes: each evaluation becomes a metrics.csv row and an
/// events.log line, events go to events.log; everything is forwarded to an inner observer (a progress
/// display). <see cref="Finish"/> writes summary.json.</summary>
public sealed class RunRecorder : IRunObserver, IRunStorage, IDisposable
{
    private readonly RunDirectory _dir;
    private readonly string _name;
    private readonly IRunObserver? _inner;
    private readonly MetricsCsvWriter _csv;
    private EpochMetrics? _last;
    private EpochMetrics? _bestValidation;
    private int _epochs;

    public EventLog Events { get; }

    /// <summary>The last evaluation recorded, if any.</summary>
    public EpochMetrics? Last => Volatile.Read(ref _last);

    /// <summary>The evaluation with the highest validation accuracy so far (the earliest of equals; resumed runs count
    /// the rows they keep), or null when none had a validation accuracy.</summary>
    public EpochMetrics? BestValidation => Volatile.Read(ref _bestValidation);

    /// <summary>How many evaluations have been recorded.</summary>
    public int EpochsRecorded => Volatile.Read(ref _epochs);

    /// <summary>Where the run's checkpoints go: <c>checkpoints/</c> in the run directory.</summary>
    public string CheckpointRoot => System.IO.Path.Combine(_dir.Path, "checkpoints");

    /// <summary>The best validation epoch (a training epoch, not the evaluation before training): its checkpoint is
    /// kept beside the newest ones.</summary>
    public int? KeptEpoch => BestValidation is { Epoch: >= 1 } best ? best.Epoch : null;

    /// <param name="resumeThroughEpoch">Set when a run resumes from the checkpoint of that epoch: metrics.csv keeps
    /// its rows up to it and is continued instead of created.</param>
    public RunRecorder(RunDirectory dir, string name, IRunObserver? inner = null, TimeProvider? time = null, int? resumeThroughEpoch = null)
    {
        _dir = dir;
        _name = name;
        _inner = inner;
        Events = new EventLog(dir.EventsPath, time);
        try
        {
            _csv = resumeThroughEpoch is { } through
                ? MetricsCsvWriter.Resume(dir.MetricsPath, through)
                : new MetricsCsvWriter(dir.MetricsPath);
            if (resumeThroughEpoch is not null)
                foreach (var row in MetricsCsv.Read(dir.MetricsPath)) TrackBest(row);
        }
        catch
        {
            Events.Dispose();
            throw;
        }
    }

    public void OnEvent(string message)
    {
        Events.Write(message);
        _inner?.OnEvent(message);
    }

    public void OnBatch(in BatchProgress progress) => _inner?.OnBatch(in progress);

    public void OnEpoch(EpochMetrics metrics)
    {
        _csv.Write(metrics);
        Volatile.Write(ref _last, metrics);
        TrackBest(metrics);
        Interlocked.Increment(ref _epochs);
        Events.Write(Describe(metrics));
        _inner?.OnEpoch(metrics);
    }

    /// <summary>Writes summary.json for the run's outcome. The final values come from the result, or from the
    /// last recorded evaluation when the result carries none.</summary>
    public void Finish(RunResult result) =>
        SummaryWriter.Write(_dir.SummaryPath, _name, result.Completed, result.EpochsRun, result.Last ?? Last, BestValidation);

    /// <summary>Writes summary.json for a run that stopped early without a result (cancelled before training
    /// or failed): not completed, with whatever was recorded so far.</summary>
    public void FinishIncomplete() =>
        SummaryWriter.Write(_dir.SummaryPath, _name, completed: false, EpochsRecorded, Last, BestValidation);

    private void TrackBest(EpochMetrics m)
    {
        if (!double.IsFinite(m.ValidationAccuracy)) return;
        var best = Volatile.Read(ref _bestValidation);
        if (best is null || m.ValidationAccuracy > best.ValidationAccuracy) Volatile.Write(ref _bestValidation, m);
    }

    /// <summary>One line describing an evaluation, for logs and plain console output.</summary>
    public static string Describe(EpochMetrics m)
    {
        var parts = new List<string> { $"epoch {m.Epoch.ToString(CultureInfo.InvariantCulture)}" };
        void Add(string label, double v, bool percent)
        {
            if (!double.IsNaN(v))
                parts.Add(percent
                    ? $"{label} {(v * 100).ToString("F2", CultureInfo.InvariantCulture)}%"
                    : $"{label} {v.ToString("G5", CultureInfo.InvariantCulture)}");
        }
        Add("train_loss", m.TrainLoss, false);
        Add("train_acc", m.TrainAccuracy, true);
        Add("val_loss", m.ValidationLoss, false);
        Add("val_acc", m.ValidationAccuracy, true);
        Add("test_loss", m.TestLoss, false);
        Add("test_acc", m.TestAccuracy, true);
        if (!double.IsNaN(m.SamplesPerSecond))
            parts.Add($"{m.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture)} samples/s");
        if (!double.IsNaN(m.WallSeconds))
            parts.Add($"{m.WallSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        return string.Join("  ", parts);
    }

    public void Dispose()
    {
        _csv.Dispose();
        Events.Dispose();
    }
}
