using Apical.Core.Metrics;
using Xunit;

namespace Apical.Core.Tests.Metrics;

public class RunDirectoryTests
{
    private static readonly DateTime Noon = new(2025, 3, 4, 12, 5, 6);

    [Fact]
    public void Default_name_is_runs_timestamp_name_under_the_base_directory()
    {
        using var tmp = new TempDir();
        var dir = RunDirectory.Create(null, "mnist bp", Noon, tmp.Path);
        Assert.Equal(Path.Combine(tmp.Path, "runs", "20250304-120506-mnist-bp"), dir.Path);
        Assert.True(Directory.Exists(dir.Path));
        Assert.Equal(Path.Combine(dir.Path, "metrics.csv"), dir.MetricsPath);
        Assert.Equal(Path.Combine(dir.Path, "curves.png"), dir.CurvesPath);
    }

    [Fact]
    public void Name_collisions_get_a_numeric_suffix()
    {
        using var tmp = new TempDir();
        var first = RunDirectory.Create(null, "r", Noon, tmp.Path);
        File.WriteAllText(first.MetricsPath, "kept");
        var second = RunDirectory.Create(null, "r", Noon, tmp.Path);
        var third = RunDirectory.Create(null, "r", Noon, tmp.Path);

        Assert.Equal(first.Path + "-2", second.Path);
        Assert.Equal(first.Path + "-3", third.Path);
        Assert.Equal("kept", File.ReadAllText(first.MetricsPath));
    }

    [Fact]
    public void Refuses_an_out_directory_that_holds_a_run_and_leaves_it_untouched()
    {
        using var tmp = new TempDir();
        var outDir = tmp.File("mine");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "metrics.csv"), "precious");

        var e = Assert.Throws<RunDirectoryException>(() => RunDirectory.Create(outDir, "r", Noon, tmp.Path));
        Assert.Contains("metrics.csv", e.Message);
        Assert.Contains("--out", e.Message);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outDir, "metrics.csv")));
        Assert.Single(Directory.GetFileSystemEntries(outDir));
    }

    [Fact]
    public void Refuses_an_out_directory_holding_any_other_run_file()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("config.json"), "{}");
        var e = Assert.Throws<RunDirectoryException>(() => RunDirectory.Create(tmp.Path, "r", Noon));
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void Uses_a_new_or_empty_out_directory_as_given()
    {
        using var tmp = new TempDir();
        var fresh = RunDirectory.Create("a/b", "r", Noon, tmp.Path);
        Assert.Equal(Path.Combine(tmp.Path, "a", "b"), fresh.Path);
        Assert.True(Directory.Exists(fresh.Path));
        Assert.Equal(fresh.Path, RunDirectory.Create(fresh.Path, "r", Noon).Path);
    }

    [Theory]
    [InlineData("../../etc", "etc")]
    [InlineData("mnist/bp: run 1", "mnist-bp--run-1")]
    [InlineData("...", "run")]
    public void Run_names_are_made_safe_for_directory_names(string name, string expected) =>
        Assert.Equal(expected, RunDirectory.SafeName(name));
}
