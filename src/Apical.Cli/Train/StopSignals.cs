using System.Runtime.InteropServices;

namespace Apical.Cli;

/// <summary>
/// Turns the first Ctrl-C, SIGTERM or SIGHUP into a cancellation request: the trainer stops after the current
/// minibatch and the results so far are saved, as after Ctrl-C. SIGTERM is what a batch scheduler, <c>kill</c> or a
/// closing container sends, and a job started in the background (<c>nohup … &amp;</c>) ignores Ctrl-C altogether; without
/// this such a stop lost the run's unfinished epoch and left its files as they were at the kill. A second signal
/// ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TextWriter _error;
    private readonly List<PosixSignalRegistration> _registrations = new();

    private StopSignals(TextWriter error) => _error = error;

    public CancellationToken Token => _cts.Token;

    public static StopSignals Install(TextWriter error)
    {
        var scope = new StopSignals(error);
        Console.CancelKeyPress += scope.OnCancelKeyPress;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try { scope._registrations.Add(PosixSignalRegistration.Create(signal, scope.OnSignal)); }
            catch (PlatformNotSupportedException) { } // SIGHUP on Windows: Ctrl-C and SIGTERM remain
        }
        return scope;
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = Request("Ctrl-C");

    private void OnSignal(PosixSignalContext context) => context.Cancel = Request(context.Signal.ToString());

    /// <summary>The first request cancels the run (true: the signal is handled); a later one lets the process end.</summary>
    private bool Request(string what)
    {
        if (_cts.IsCancellationRequested) return false;
        _error.WriteLine($"{what}: cancelling after the current minibatch (send it again to abort)...");
        _cts.Cancel();
        return true;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
