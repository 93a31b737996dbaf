using System.Globalization;
using System.Text;

namespace Apical.Core.Metrics;

/// <summary>A run's output directory and the paths of the files it holds. <see cref="Create"/> never lets a
/// run overwrite the results of another.</summary>
public sealed class RunDirectory
{
    public const string ConfigFile = "config.json";
    public const string MetricsFile = "metrics.csv";
    public const string SummaryFile = "summary.json";
    public const string EventsFile = "events.log";
    public const string CurvesFile = "curves.png";

    private static readonly string[] RunFiles = [MetricsFile, SummaryFile, ConfigFile, EventsFile, CurvesFile];

    public string Path { get; }
    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);
    public string MetricsPath => System.IO.Path.Combine(Path, MetricsFile);
    public string SummaryPath => System.IO.Path.Combine(Path, SummaryFile);
    public string EventsPath => System.IO.Path.Combine(Path, EventsFile);
    public string CurvesPath => System.IO.Path.Combine(Path, CurvesFile);

    private RunDirectory(string path) => Path = path;

    /// <summary>Opens an existing run directory (for plotting); nothing is created.</summary>
    public static RunDirectory Existing(string path) => new(System.IO.Path.GetFullPath(path));

    /// <summary>Creates the directory for a new run. With <paramref name="outDir"/> that directory is used
    /// (created if missing) unless it already holds run files; otherwise
    /// <c>runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;</c> under <paramref name="baseDirectory"/> (default: the
    /// current directory), with <c>-2</c>, <c>-3</c>... appended while that name is taken.</summary>
    /// <exception cref="RunDirectoryException">The chosen directory would overwrite existing results.</exception>
    public static RunDirectory Create(string? outDir, string runName, DateTime? now = null, string? baseDirectory = null)
    {
        if (outDir is not null)
            return CreateExplicit(System.IO.Path.GetFullPath(outDir, baseDirectory ?? Environment.CurrentDirectory));

        var stamp = (now ?? DateTime.Now).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var runs = System.IO.Path.Combine(baseDirectory ?? Environment.CurrentDirectory, "runs");
        var stem = System.IO.Path.Combine(runs, stamp + "-" + SafeName(runName));
        Directory.CreateDirectory(runs);
        for (int n = 1; ; n++)
        {
            var candidate = n == 1 ? stem : stem + "-" + n.ToString(CultureInfo.InvariantCulture);
            if (Directory.Exists(candidate) || File.Exists(candidate))
                continue;
            Directory.CreateDirectory(candidate);
            return new RunDirectory(candidate);
        }
    }

    private static RunDirectory CreateExplicit(string dir)
    {
        if (File.Exists(dir))
            throw new RunDirectoryException($"--out {dir}: is a file, not a directory; choose another --out");
        if (Directory.Exists(dir))
        {
            if (File.Exists(System.IO.Path.Combine(dir, MetricsFile)))
                throw new RunDirectoryException(
                    $"--out {dir}: already holds a run's results ({MetricsFile}); refusing to overwrite them, choose another --out");
            var clash = RunFiles.FirstOrDefault(f => File.Exists(System.IO.Path.Combine(dir, f)));
            if (clash is not null)
                throw new RunDirectoryException(
                    $"--out {dir}: already holds {clash}; refusing to overwrite it, choose another --out");
        }
        Directory.CreateDirectory(dir);
        return new RunDirectory(dir);
    }

    /// <summary>The run name reduced to characters safe in a directory name on every platform.</summary>
    public static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        var safe = sb.ToString().Trim('.', '-');
        return safe.Length == 0 ? "run" : safe;
    }
}

/// <summary>A run directory that cannot be used without overwriting existing results.</summary>
public sealed class RunDirectoryException(string message) : Exception(message);
