using Apical.Cli;
using Apical.Core.Metrics;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

public class PlotTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Plot_command_renders_a_png_from_metrics_csv()
    {
        using var tmp = new TempDir();
        using (var writer = new MetricsCsvWriter(tmp.File("metrics.csv")))
            for (int epoch = 1; epoch <= 4; epoch++)
                writer.Write(new EpochMetrics
                {
                    Epoch = epoch,
                    TrainLoss = 1.0 / epoch, TrainAccuracy = 0.7 + 0.05 * epoch,
                    TestLoss = 1.2 / epoch, TestAccuracy = 0.65 + 0.05 * epoch,
                });

        var (code, output, error) = CliRunner.Run("plot", tmp.Path);

        Assert.True(code == ExitCodes.Ok, error);
        var png = File.ReadAllBytes(tmp.File("curves.png"));
        Assert.True(png.Length > 5000, $"only {png.Length} bytes");
        Assert.Equal(PngSignature, png.Take(8));
        Assert.Contains("curves.png", output);
        Assert.DoesNotContain(Directory.GetFiles(tmp.Path), f => f.Contains("partial"));
    }

    [Fact]
    public void Plot_of_several_runs_renders_one_comparison_png_and_needs_out()
    {
        using var tmp = new TempDir();
        var runs = new[] { "d1", "d4" };
        foreach (var run in runs)
        {
            Directory.CreateDirectory(tmp.File(run));
            using var writer = new MetricsCsvWriter(Path.Combine(tmp.File(run), "metrics.csv"));
            for (int epoch = 0; epoch <= 5; epoch++)
                writer.Write(new EpochMetrics { Epoch = epoch, TestLoss = 2.0 / (epoch + 1), TestAccuracy = 0.1 + 0.1 * epoch });
        }
        var dirs = runs.Select(r => tmp.File(r)).ToArray();

        var (missing, _, missingError) = CliRunner.Run(["plot", .. dirs]);
        Assert.Equal(ExitCodes.Usage, missing);
        Assert.Contains("--out", missingError);
        var (notPng, _, notPngError) = CliRunner.Run(["plot", .. dirs, "--out", tmp.File("cmp.csv")]);
        Assert.Equal(ExitCodes.Usage, notPng);
        Assert.Contains(".png", notPngError);

        var (code, output, error) = CliRunner.Run(["plot", .. dirs, "--out", tmp.File("cmp.png")]);
        Assert.True(code == ExitCodes.Ok, error);
        var png = File.ReadAllBytes(tmp.File("cmp.png"));
        Assert.Equal(PngSignature, png.Take(8));
        Assert.True(png.Length > 5000, $"only {png.Length} bytes");
        Assert.Contains("cmp.png", output);
        foreach (var run in runs) Assert.False(File.Exists(Path.Combine(tmp.File(run), "curves.png")), "a comparison must not touch the runs");
    }

    [Fact]
    public void Plot_of_a_run_without_rows_fails_without_writing()
    {
        using var tmp = new TempDir();
        new MetricsCsvWriter(tmp.File("metrics.csv")).Dispose();
        var (code, _, error) = CliRunner.Run("plot", tmp.Path);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("no rows", error);
        Assert.False(File.Exists(tmp.File("curves.png")));
    }
}
