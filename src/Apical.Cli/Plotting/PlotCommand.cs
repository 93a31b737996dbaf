using System.CommandLine;
using Apical.Core.Metrics;

namespace Apical.Cli;

/// <summary><c>apical plot RUN_DIR</c>: renders curves.png from the run's metrics.csv. <c>apical plot RUN_DIR RUN_DIR …
/// --out FILE.png</c>: one comparison figure of several runs (test loss and accuracy per epoch, a series per run).</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var runDirs = new Argument<string[]>("RUN_DIR") { Description = "Run directories holding metrics.csv (several: a comparison).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "The comparison figure to write (a .png file); required with several runs." };
        var command = new Command("plot", $"(Re)render {RunDirectory.CurvesFile} of a run from its {RunDirectory.MetricsFile}, or compare several runs in one figure.")
        {
            runDirs, output,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            return RunDirArguments.Guard(stderr, () =>
            {
                var paths = parse.GetValue(runDirs)!;
                var outPath = parse.GetValue(output);
                var dirs = new List<RunDirectory>();
                foreach (var path in paths) dirs.Add(RunDirArguments.Open(path));
                if (outPath is null)
                {
                    if (dirs.Count > 1) throw new UsageException("--out: a comparison of several runs needs --out FILE.png");
                    if (!CurvesPlot.RenderRun(dirs[0], Path.GetFileName(dirs[0].Path)))
                    {
                        stderr.WriteLine($"error: {dirs[0].MetricsPath}: no rows to plot yet");
                        return ExitCodes.Failure;
                    }
                    stdout.WriteLine(dirs[0].CurvesPath);
                    return ExitCodes.Ok;
                }
                if (!outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"--out: {outPath} is not a .png file");
                if (Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } parent && !Directory.Exists(parent))
                    throw new UsageException($"--out: directory not found: {parent}");
                var runs = new List<(string, IReadOnlyList<EpochMetrics>)>();
                foreach (var dir in dirs)
                {
                    var rows = MetricsCsv.Read(dir.MetricsPath);
                    if (rows.Count == 0)
                    {
                        stderr.WriteLine($"error: {dir.MetricsPath}: no rows to plot yet");
                        return ExitCodes.Failure;
                    }
                    runs.Add((Path.GetFileName(Path.TrimEndingDirectorySeparator(dir.Path)), rows));
                }
                ComparisonPlot.Render(runs, outPath);
                stdout.WriteLine(outPath);
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
