using Apical.Core.Metrics;

namespace Apical.Cli;

/// <summary>What the commands that read finished or running runs (<c>plot</c>, <c>compare</c>) share: opening a RUN_DIR
/// argument and reporting their errors.</summary>
internal static class RunDirArguments
{
    /// <summary>The run directory at <paramref name="path"/>; a missing directory or metrics.csv is a usage error naming it.</summary>
    public static RunDirectory Open(string path)
    {
        if (!Directory.Exists(path))
            throw new UsageException($"RUN_DIR: directory not found: {path}");
        var dir = RunDirectory.Existing(path);
        if (!File.Exists(dir.MetricsPath))
            throw new UsageException($"RUN_DIR: {path} holds no {RunDirectory.MetricsFile}");
        return dir;
    }

    /// <summary>Runs a command body: a malformed metrics.csv is a failure naming its line, other errors as every command.</summary>
    public static int Guard(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
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
    }
}
