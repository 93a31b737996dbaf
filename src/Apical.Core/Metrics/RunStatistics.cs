namespace Apical.Core.Metrics;

/// <summary>
/// The numbers a paper's result can mean, from one run's metrics.csv: the last epoch's test score, the test score at
/// the epoch of best validation score (the first such epoch on ties), the best test score of any epoch, and the mean
/// and standard deviation of the test score over the last epochs. The score is the accuracy (higher is better) or, on
/// a regression task where no accuracy is recorded, the loss (lower is better). Only trained epochs count (epoch ≥ 1;
/// the evaluation before training is epoch 0).
/// </summary>
public sealed record RunStatistics
{
    public required string Name { get; init; }
    /// <summary>True: scores are accuracies in [0, 1]; false: losses.</summary>
    public required bool Accuracy { get; init; }
    /// <summary>Trained epochs recorded.</summary>
    public required int Epochs { get; init; }
    public required double Final { get; init; }
    public required int BestValidationEpoch { get; init; }
    public required double AtBestValidation { get; init; }
    public required int BestTestEpoch { get; init; }
    public required double BestTest { get; init; }
    /// <summary>Epochs averaged in <see cref="LastMean"/> (fewer than asked when the run is shorter).</summary>
    public required int LastCount { get; init; }
    public required double LastMean { get; init; }
    /// <summary>Sample standard deviation over the last epochs (NaN for one epoch).</summary>
    public required double LastSd { get; init; }
    public required double WallSeconds { get; init; }

    /// <summary>Statistics of <paramref name="rows"/>; null when no trained epoch is recorded yet.</summary>
    public static RunStatistics? Of(string name, IReadOnlyList<EpochMetrics> rows, int last)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(last, 1);
        var trained = new List<EpochMetrics>(rows.Count);
        foreach (var r in rows) if (r.Epoch >= 1) trained.Add(r);
        if (trained.Count == 0) return null;
        bool accuracy = false;
        foreach (var r in trained) accuracy |= !double.IsNaN(r.TestAccuracy);
        double Test(EpochMetrics m) => accuracy ? m.TestAccuracy : m.TestLoss;
        double Validation(EpochMetrics m) => accuracy ? m.ValidationAccuracy : m.ValidationLoss;
        bool Better(double a, double b) => !double.IsNaN(a) && (double.IsNaN(b) || (accuracy ? a > b : a < b));

        int bestVal = -1, bestTest = 0;
        for (int i = 0; i < trained.Count; i++)
        {
            if (Better(Validation(trained[i]), bestVal < 0 ? double.NaN : Validation(trained[bestVal]))) bestVal = i;
            if (Better(Test(trained[i]), Test(trained[bestTest]))) bestTest = i;
        }
        int count = Math.Min(last, trained.Count);
        var (mean, sd) = MeanSd(trained, trained.Count - count, count, Test);
        return new RunStatistics
        {
            Name = name,
            Accuracy = accuracy,
            Epochs = trained.Count,
            Final = Test(trained[^1]),
            BestValidationEpoch = bestVal < 0 ? 0 : trained[bestVal].Epoch,
            AtBestValidation = bestVal < 0 ? double.NaN : Test(trained[bestVal]),
            BestTestEpoch = trained[bestTest].Epoch,
            BestTest = Test(trained[bestTest]),
            LastCount = count,
            LastMean = mean,
            LastSd = sd,
            WallSeconds = trained[^1].WallSeconds,
        };
    }

    /// <summary>Mean and sample standard deviation of <paramref name="values"/> (NaN SD for a single value).</summary>
    public static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        double mean = values.Count > 0 ? sum / values.Count : double.NaN;
        if (values.Count < 2) return (mean, double.NaN);
        double ss = 0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(ss / (values.Count - 1)));
    }

    private static (double, double) MeanSd(List<EpochMetrics> rows, int start, int count, Func<EpochMetrics, double> value)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = value(rows[start + i]);
        return MeanSd(v);
    }
}
