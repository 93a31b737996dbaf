using Apical.Core.Metrics;
using ScottPlot;

namespace Apical.Cli;

/// <summary>Renders several runs side by side: the test loss (left) and test accuracy in percent (right) per epoch,
/// one series per run (validation where a run reported no test values). For sweeps: link delays, seeds, rules.</summary>
internal static class ComparisonPlot
{
    public static void Render(IReadOnlyList<(string Label, IReadOnlyList<EpochMetrics> Rows)> runs, string pngPath)
    {
        var loss = Panel(runs, "Test loss", "Loss", m => PickTest(m).Loss, v => v, Alignment.UpperRight);
        var accuracy = Panel(runs, "Test accuracy", "Accuracy (%)", m => PickTest(m).Accuracy, v => v * 100, Alignment.LowerRight);
        CurvesPlot.SaveSideBySide(loss, accuracy, pngPath);
    }

    private static (double Loss, double Accuracy) PickTest(EpochMetrics m) =>
        double.IsFinite(m.TestAccuracy) || double.IsFinite(m.TestLoss) ? (m.TestLoss, m.TestAccuracy) : (m.ValidationLoss, m.ValidationAccuracy);

    private static Plot Panel(IReadOnlyList<(string Label, IReadOnlyList<EpochMetrics> Rows)> runs, string title, string yLabel,
        Func<EpochMetrics, double> value, Func<double, double> scale, Alignment legend)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < runs.Count; i++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            foreach (var r in runs[i].Rows)
            {
                double v = value(r);
                if (!double.IsFinite(v)) continue;
                xs.Add(r.Epoch);
                ys.Add(scale(v));
            }
            if (xs.Count > 0) CurvesPlot.AddSeries(plot, xs.ToArray(), ys.ToArray(), palette.GetColor(i % palette.Colors.Length), runs[i].Label, markerSize: 4);
        }
        return CurvesPlot.Label(plot, title, yLabel, legend);
    }
}
