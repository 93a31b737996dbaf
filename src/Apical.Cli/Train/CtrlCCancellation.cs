namespace Apical.Cli;

/// <summary>Turns the first Ctrl-C into a cancellation request (the trainer stops after the current minibatch
/// and the results are saved); a second Ctrl-C terminates the process as usual.</summary>
internal sealed class CtrlCCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TextWriter _error;

    private CtrlCCancellation(TextWriter error) => _error = error;

    public CancellationToken Token => _cts.Token;

    public static CtrlCCancellation Install(TextWriter error)
    {
        var scope = new CtrlCCancellation(error);
        Console.CancelKeyPress += scope.OnCancelKeyPress;
        return scope;
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_cts.IsCancellationRequested)
            return; // second Ctrl-C: let the process end
        e.Cancel = true;
        _error.WriteLine("cancelling after the current minibatch (Ctrl-C again to abort)...");
        _cts.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _cts.Dispose();
    }
}
