using Apical.Core.Metrics;
using Xunit;

namespace Apical.Core.Tests.Metrics;

public class RunStatisticsTests
{
    internal static EpochMetrics Row(int epoch, double val, double test, bool accuracy = true, double wall = double.NaN) => accuracy
        ? new EpochMetrics { Epoch = epoch, ValidationAccuracy = val, TestAccuracy = test, ValidationLoss = 1 - val, TestLoss = 1 - test, WallSeconds = wall }
        : new EpochMetrics { Epoch = epoch, ValidationLoss = val, TestLoss = test, WallSeconds = wall };

    [Fact]
    public void EveryReadingOfTheResultComesFromTheTrainedEpochs()
    {
        var rows = new[]
        {
            Row(0, 0.99, 0.99), // the evaluation before training never counts, however good
            Row(1, 0.60, 0.50), Row(2, 0.72, 0.70), Row(3, 0.72, 0.65), Row(4, 0.70, 0.80), Row(5, 0.71, 0.75, wall: 3600),
        };
        var s = RunStatistics.Of("run", rows, last: 3)!;
        Assert.True(s.Accuracy);
        Assert.Equal(5, s.Epochs);
        Assert.Equal(0.75, s.Final);
        Assert.Equal(2, s.BestValidationEpoch); // a tie goes to the first epoch
        Assert.Equal(0.70, s.AtBestValidation);
        Assert.Equal(4, s.BestTestEpoch);
        Assert.Equal(0.80, s.BestTest);
        Assert.Equal(3, s.LastCount);
        Assert.Equal((0.65 + 0.80 + 0.75) / 3, s.LastMean, 12);
        Assert.Equal(Math.Sqrt((Math.Pow(0.65 - s.LastMean, 2) + Math.Pow(0.80 - s.LastMean, 2) + Math.Pow(0.75 - s.LastMean, 2)) / 2), s.LastSd, 12);
        Assert.Equal(3600, s.WallSeconds);
        Assert.Equal(5, RunStatistics.Of("run", rows, last: 10)!.LastCount); // a shorter run averages what it has
    }

    [Fact]
    public void WithoutAccuraciesTheLossDecidesAndLowerIsBetter()
    {
        var rows = new[] { Row(0, 9, 9, false), Row(1, 0.5, 0.6, false), Row(2, 0.3, 0.4, false), Row(3, 0.35, 0.2, false) };
        var s = RunStatistics.Of("regression", rows, last: 2)!;
        Assert.False(s.Accuracy);
        Assert.Equal(0.2, s.Final);
        Assert.Equal(2, s.BestValidationEpoch);
        Assert.Equal(0.4, s.AtBestValidation);
        Assert.Equal(3, s.BestTestEpoch);
        Assert.Equal(0.3, s.LastMean, 12);
    }

    [Fact]
    public void ARunWithoutATrainedEpochHasNoStatisticsAndOneValueNoSpread()
    {
        Assert.Null(RunStatistics.Of("new", [Row(0, 0.1, 0.1)], last: 10));
        var one = RunStatistics.Of("one", [Row(1, 0.5, 0.4)], last: 10)!;
        Assert.Equal(0.4, one.LastMean);
        Assert.True(double.IsNaN(one.LastSd));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunStatistics.Of("x", [], last: 0));
    }
}
