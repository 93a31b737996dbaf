namespace Apical.Core.Rules.Dfc;

/// <summary>
/// A parked background thread that runs one job at a time for its owner (the forward rule's chunk GEMM), so the
/// layer's dynamics continue on the calling thread meanwhile. No allocation per job; the owner calls
/// <see cref="WaitIdle"/> before reusing the job's buffers and before reading its results.
/// </summary>
internal sealed class ChunkWorker
{
    private readonly Action _job;
    private readonly ManualResetEventSlim _go = new(false);
    private readonly ManualResetEventSlim _idle = new(true);
    private Exception? _failure;

    public ChunkWorker(Action job, string name)
    {
        _job = job;
        var thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Starts the job; the worker must be idle.</summary>
    public void Start()
    {
        _idle.Reset();
        _go.Set();
    }

    /// <summary>Blocks until the current job (if any) is done; rethrows its failure.</summary>
    public void WaitIdle()
    {
        _idle.Wait();
        if (_failure is { } e)
        {
            _failure = null;
            throw new InvalidOperationException("forward-rule worker failed", e);
        }
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            try { _job(); }
            catch (Exception e) { _failure = e; }
            _idle.Set();
        }
    }
}
