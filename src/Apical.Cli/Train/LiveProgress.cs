using System.Diagnostics;
using System.Globalization;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Spectre.Console;

namespace Apical.Cli;

/// <summary>Live terminal progress with Spectre.Console: a bar over the whole run with epoch, batch, loss,
/// accuracy, samples/s and ETA, and a line per finished epoch above it. Batch updates are throttled to
/// 10 per second; a call inside the interval only reads the clock.</summary>
internal sealed class LiveProgress : IProgressDisplay
{
    private static readonly long Interval = Stopwatch.Frequency / 10;
    private readonly bool _wide = AnsiConsole.Profile.Width >= 120;
    private ProgressTask? _task;
    private long _nextUpdate;

    public void Info(string message) => AnsiConsole.MarkupLine(Markup.Escape(message));

    public void OnEvent(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    public void OnEpoch(EpochMetrics metrics) => AnsiConsole.MarkupLine(Markup.Escape(RunRecorder.Describe(metrics)));

    public void OnBatch(in BatchProgress p)
    {
        long now = Stopwatch.GetTimestamp();
        if (now < Volatile.Read(ref _nextUpdate) && p.Batch < p.Batches)
            return;
        Volatile.Write(ref _nextUpdate, now + Interval);
        var task = _task;
        if (task is null)
            return;

        double total = p.TotalWork > 0 ? p.TotalWork : Math.Max(1.0, (double)p.Epochs * p.Batches);
        task.MaxValue = total;
        task.Value = Math.Clamp(p.TotalWork > 0 ? p.Work : (double)(p.Epoch - 1) * p.Batches + p.Batch, 0, total);
        if (p.Stage is not null)
        {
            task.Description = _wide
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Stage}  batch {p.Batch}/{p.Batches}  {p.SamplesPerSecond:F0} samples/s")
                : string.Create(CultureInfo.InvariantCulture, $"{p.Stage} b{p.Batch}/{p.Batches} {p.SamplesPerSecond:F0}/s");
            return;
        }
        task.Description = _wide
            ? string.Create(CultureInfo.InvariantCulture,
                $"epoch {p.Epoch}/{p.Epochs}  batch {p.Batch}/{p.Batches}  loss {p.Loss:G5}  acc {p.Accuracy * 100:F1}%  {p.SamplesPerSecond:F0} samples/s")
            : string.Create(CultureInfo.InvariantCulture,
                $"e{p.Epoch}/{p.Epochs} b{p.Batch}/{p.Batches} loss {p.Loss:G4} acc {p.Accuracy * 100:F1}% {p.SamplesPerSecond:F0}/s");
    }

    // A narrow terminal gets a shorter bar and no elapsed time or spinner, so the row still fits one line.
    private ProgressColumn[] Columns() => _wide
        ?
        [
            new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
            new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn(),
        ]
        :
        [
            new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 12 }, new PercentageColumn(),
            new RemainingTimeColumn(),
        ];

    public RunResult Run(Func<RunResult> train) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(Columns())
            .Start(context =>
            {
                _task = context.AddTask("starting", maxValue: 1);
                try
                {
                    return train();
                }
                finally
                {
                    _task.StopTask();
                    _task = null;
                }
            });
}
