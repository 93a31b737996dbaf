using Apical.Core.Metrics;
using ScottPlot;

namespace Apical.Cli;

/// <summary>Renders curves.png: loss per epoch (left) and accuracy per epoch in percent (right), each with the
/// train, validation and test series the run reported. Headless (ScottPlot on SkiaSharp).</summary>
internal static class CurvesPlot
{
    public const int Width = 1400;
    public const int Height = 560;

    private static readonly (string Label, Func<EpochMetrics, double> Loss, Func<EpochMetrics, double> Accuracy)[] Series =
    [
        ("train", m => m.TrainLoss, m => m.TrainAccuracy),
        ("validation", m => m.ValidationLoss, m => m.ValidationAccuracy),
        ("test", m => m.TestLoss, m => m.TestAccuracy),
    ];

    /// <summary>Reads the run's metrics.csv and writes its curves.png (replacing an older one atomically).
    /// Returns false, writing nothing, when metrics.csv has no rows yet.</summary>
    public static bool RenderRun(RunDirectory dir, string title)
    {
        var rows = MetricsCsv.Read(dir.MetricsPath);
        if (rows.Count == 0)
            return false;
        Render(rows, dir.CurvesPath, title);
        return true;
    }

    public static void Render(IReadOnlyList<EpochMetrics> rows, string pngPath, string title)
    {
        // Loss falls and accuracy rises: each legend goes where its curves usually are not.
        var loss = Panel(rows, title.Length == 0 ? "Loss" : $"{title}: loss", "Loss", m => m, s => s.Loss, Alignment.UpperRight);
        var accuracy = Panel(rows, title.Length == 0 ? "Accuracy" : $"{title}: accuracy", "Accuracy (%)", v => v * 100, s => s.Accuracy,
            Alignment.LowerRight);

        SaveSideBySide(loss, accuracy, pngPath);
    }

    /// <summary>Writes two panels side by side as one PNG. Renders beside the target, then moves over it: an
    /// interrupted render never leaves a torn PNG.</summary>
    public static void SaveSideBySide(Plot left, Plot right, string pngPath)
    {
        var multiplot = new Multiplot();
        foreach (var existing in multiplot.GetPlots())
            multiplot.RemovePlot(existing);
        multiplot.AddPlot(left);
        multiplot.AddPlot(right);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(pngPath))!, "." + Path.GetFileNameWithoutExtension(pngPath) + ".partial.png");
        multiplot.SavePng(temp, Width, Height);
        File.Move(temp, pngPath, overwrite: true);
    }

    /// <summary>Adds one labelled line-and-marker series.</summary>
    public static void AddSeries(Plot plot, double[] xs, double[] ys, Color color, string label, float markerSize = 6)
    {
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = markerSize;
    }

    /// <summary>Title, axis labels (epochs on x, integer ticks) and the legend of a panel.</summary>
    public static Plot Label(Plot plot, string title, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel("Epoch");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(legend);
        return plot;
    }

    private static Plot Panel(
        IReadOnlyList<EpochMetrics> rows, string title, string yLabel, Func<double, double> scale,
        Func<(string Label, Func<EpochMetrics, double> Loss, Func<EpochMetrics, double> Accuracy), Func<EpochMetrics, double>> pick,
        Alignment legend)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < Series.Length; i++)
        {
            var value = pick(Series[i]);
            var points = rows.Where(r => double.IsFinite(value(r))).ToArray();
            if (points.Length == 0)
                continue;
            var xs = points.Select(r => (double)r.Epoch).ToArray();
            var ys = points.Select(r => scale(value(r))).ToArray();
            AddSeries(plot, xs, ys, palette.GetColor(i), Series[i].Label);
        }
        return Label(plot, title, yLabel, legend);
    }
}
