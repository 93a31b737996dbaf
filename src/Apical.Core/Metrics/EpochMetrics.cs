namespace Apical.Core.Metrics;

/// <summary>One evaluation of a run: a row of metrics.csv. Accuracies are fractions in [0, 1];
/// NaN marks a value that does not apply (e.g. accuracy on a regression task).</summary>
public sealed class EpochMetrics
{
    public int Epoch { get; init; }
    public long Step { get; init; }
    public double TrainLoss { get; init; } = double.NaN;
    public double TrainAccuracy { get; init; } = double.NaN;
    public double ValidationLoss { get; init; } = double.NaN;
    public double ValidationAccuracy { get; init; } = double.NaN;
    public double TestLoss { get; init; } = double.NaN;
    public double TestAccuracy { get; init; } = double.NaN;
    public double SamplesPerSecond { get; init; } = double.NaN;
    public double WallSeconds { get; init; } = double.NaN;

    /// <summary>Rule-specific diagnostics (alignment angles, control effort, staleness...), in column order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Extra { get; init; } = Array.Empty<KeyValuePair<string, double>>();
}

/// <summary>Live progress within an epoch, for a progress display.</summary>
public readonly record struct BatchProgress(
    int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double SamplesPerSecond)
{
    /// <summary>What the run is doing when it is not training the forward weights (e.g. "feedback pre-training 3/20",
    /// "sleep 7/40"), else null; <see cref="Loss"/> and <see cref="Accuracy"/> are then NaN.</summary>
    public string? Stage { get; init; }

    /// <summary>Work done so far over the whole run, in a unit proportional to its cost (e.g. simulated steps per
    /// mini-batch), with <see cref="TotalWork"/>; 0 / 0 when the run is forward epochs only (epochs × batches).</summary>
    public double Work { get; init; }

    public double TotalWork { get; init; }
}

/// <summary>Receives what a run reports as it goes. Implementations must be cheap: OnBatch is called often.</summary>
public interface IRunObserver
{
    void OnEvent(string message);
    void OnBatch(in BatchProgress progress);
    void OnEpoch(EpochMetrics metrics);
}
