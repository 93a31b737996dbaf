using System.Globalization;
using Apical.Cli;
using Apical.Core.Metrics;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

/// <summary>`apical compare RUN_DIR …`: the runs' readings of the result in one Markdown table, with their mean ± SD.</summary>
public class CompareCommandTests
{
    private static string Run(TempDir tmp, string name, string rule, int seed, params (double Val, double Test)[] epochs)
    {
        string dir = tmp.File(name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, RunDirectory.ConfigFile), $"{{ \"name\": \"{name}\", \"rule\": \"{rule}\", \"seed\": {seed} }}");
        var lines = new List<string> { string.Join(',', MetricsCsv.StandardColumns) + ",extra_metric" };
        for (int e = 0; e < epochs.Length; e++)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{e},{e * 10},,,{1 - epochs[e].Val},{epochs[e].Val},{1 - epochs[e].Test},{epochs[e].Test},,{e * 360},0.5"));
        File.WriteAllText(Path.Combine(dir, RunDirectory.MetricsFile), string.Join('\n', lines) + "\n");
        return dir;
    }

    [Fact]
    public void TwoSeedsGetARowEachAndTheirMeanAndSpread()
    {
        using var tmp = new TempDir();
        string a = Run(tmp, "seed1", "dfc", 1, (0.1, 0.1), (0.80, 0.78), (0.90, 0.88), (0.85, 0.86));
        string b = Run(tmp, "seed2", "dfc", 2, (0.1, 0.1), (0.82, 0.80), (0.84, 0.82), (0.91, 0.90));
        string fresh = Run(tmp, "fresh", "strong-dfc", 3, (0.1, 0.1));
        var (code, output, error) = CliRunner.Run("compare", a, b, fresh, "--last", "2");
        Assert.True(code == ExitCodes.Ok, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("final test acc %", lines[0]);
        Assert.Contains("last 2: mean ± SD", lines[0]);
        Assert.Equal("| seed1 | dfc | 1 | 3 | 86.00 | 2: 88.00 | 2: 88.00 | 87.00 ± 1.41 | 0.30 |", lines[2]);
        Assert.Equal("| seed2 | dfc | 2 | 3 | 90.00 | 3: 90.00 | 3: 90.00 | 86.00 ± 5.66 | 0.30 |", lines[3]);
        Assert.Equal("| fresh | strong-dfc | 3 | 0 | n/a | n/a | n/a | n/a | n/a |", lines[4]);
        Assert.Equal("| mean ± SD of 2 runs | | | | 88.00 ± 2.83 | 89.00 ± 1.41 | | 86.50 ± 0.71 | |", lines[5]);
    }

    [Fact]
    public void AskedColumnsAddTheLastEpochsValueAndTheirMean()
    {
        using var tmp = new TempDir();
        string a = Run(tmp, "a", "dfc", 1, (0.1, 0.1), (0.80, 0.78));
        string b = Run(tmp, "b", "dfc", 2, (0.1, 0.1), (0.82, 0.80));
        var (code, output, error) = CliRunner.Run("compare", a, b, "--metric", "extra_metric", "--metric", "validation_accuracy");
        Assert.True(code == ExitCodes.Ok, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("| extra_metric (last) | validation_accuracy (last) |", lines[0]);
        Assert.EndsWith("| 0.5 | 0.8 |", lines[2]);
        Assert.EndsWith("| 0.5 | 0.82 |", lines[3]);
        Assert.EndsWith("| 0.5 ± 0 | 0.81 ± 0.01414 |", lines[4]);

        var unknown = CliRunner.Run("compare", a, "--metric", "no_such_column");
        Assert.Equal(ExitCodes.Usage, unknown.Code);
        Assert.Contains("no_such_column", unknown.Err);
    }

    [Fact]
    public void AMissingRunOrMetricsFileIsNamed()
    {
        using var tmp = new TempDir();
        var missing = CliRunner.Run("compare", tmp.File("nope"));
        Assert.Equal(ExitCodes.Usage, missing.Code);
        Assert.Contains("nope", missing.Err);
        Directory.CreateDirectory(tmp.File("empty"));
        var empty = CliRunner.Run("compare", tmp.File("empty"));
        Assert.Equal(ExitCodes.Usage, empty.Code);
        Assert.Contains(RunDirectory.MetricsFile, empty.Err);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("compare", tmp.File("empty"), "--last", "0").Code);
    }
}
