using System.CommandLine;
using Apical.Core.Metrics;

namespace Apical.Cli;

/// <summary><c>apical plot RUN_DIR</c>: renders curves.png from the run's metrics.csv.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory holding metrics.csv." };
        var command = new Command("plot", $"(Re)render {RunDirectory.CurvesFile} of a run from its {RunDirectory.MetricsFile}.") { runDir };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var path = parse.GetValue(runDir)!;
                if (!Directory.Exists(path))
                    throw new UsageException($"RUN_DIR: directory not found: {path}");
                var dir = RunDirectory.Existing(path);
                if (!File.Exists(dir.MetricsPath))
                    throw new UsageException($"RUN_DIR: {path} holds no {RunDirectory.MetricsFile}");
                if (!CurvesPlot.RenderRun(dir, Path.GetFileName(dir.Path)))
                {
                    stderr.WriteLine($"error: {dir.MetricsPath}: no rows to plot yet");
                    return ExitCodes.Failure;
                }
                stdout.WriteLine(dir.CurvesPath);
                return ExitCodes.Ok;
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return ExitCodes.Failure;
            }
            catch (Exception e)
            {
                return ApicalCommand.Report(e, stderr);
            }
        });
        return command;
    }
}
