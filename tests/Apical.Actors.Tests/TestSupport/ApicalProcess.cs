using System.Collections.Concurrent;
using System.Diagnostics;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>An <c>apical</c> process (the CLI built next to this test assembly's configuration) with its output captured.</summary>
internal sealed class ApicalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private ApicalProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IEnumerable<string> Lines => _lines;

    public static ApicalProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliPath());
        foreach (var a in args) info.ArgumentList.Add(a);
        return new ApicalProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet"));
    }

    /// <summary>Waits for an output line starting with <paramref name="prefix"/> and returns it.</summary>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var l in _lines)
                if (l.StartsWith(prefix, StringComparison.Ordinal)) return l;
            if (_process.HasExited && !_newLine.Wait(200))
                throw new InvalidOperationException($"apical exited ({_process.ExitCode}) before printing '{prefix}':\n{Tail()}");
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"apical did not print '{prefix}' in {timeout.TotalSeconds} s:\n{Tail()}");
            _newLine.Wait(left < TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"apical did not exit in {timeout.TotalSeconds} s:\n{Tail()}");
        _process.WaitForExit(); // flush the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGTERM: a node leaves the cluster and exits.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString() });
        kill?.WaitForExit();
    }

    public string Tail() => string.Join('\n', _lines.TakeLast(30));

    private void Add(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        _newLine.Release();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }

    private static string CliPath()
    {
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string tfm = Path.GetFileName(baseDir);
        string configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        var dir = new DirectoryInfo(baseDir);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Distributed.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException($"no Distributed.sln above {baseDir}");
        var path = Path.Combine(dir.FullName, "src", "Apical.Cli", "bin", configuration, tfm, "apical.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the apical CLI is not built at {path}");
    }
}
