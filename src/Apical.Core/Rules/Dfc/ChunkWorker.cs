namespace Apical.Core.Rules.Dfc;

/// <summary>
/// A forward rule's handle on a background thread that runs its chunk GEMMs, so the layer's dynamics continue on the
/// calling thread meanwhile. One job at a time per handle; the owner calls <see cref="WaitIdle"/> before reusing the
/// job's buffers and before reading its results. No allocation per job.
/// <para>
/// The threads are shared (<see cref="ChunkThread"/>): one fewer than the processors, each serving a fixed set of
/// handles in the order their jobs arrive. A thread per layer oversubscribed a 2-core machine (the dynamics plus two
/// hidden layers' workers is three busy threads on two cores), and the scheduler then took turns between them and
/// the dynamics, which is the critical path.
/// </para>
/// </summary>
internal sealed class ChunkWorker
{
    private readonly Action _job;
    private readonly ChunkThread _thread;
    private readonly ManualResetEventSlim _idle = new(true);
    private readonly string _what;
    private Exception? _failure;

    public ChunkWorker(Action job) : this(job, ChunkThread.Next(), "forward-rule worker") { }

    /// <summary>A handle whose jobs run on <paramref name="thread"/>; <paramref name="what"/> names the job in a failure.</summary>
    public ChunkWorker(Action job, ChunkThread thread, string what)
    {
        _job = job;
        _thread = thread;
        _what = what;
    }

    /// <summary>Queues the job; the handle must be idle.</summary>
    public void Start()
    {
        _idle.Reset();
        _thread.Enqueue(this);
    }

    /// <summary>Blocks until the current job (if any) is done; rethrows its failure.</summary>
    public void WaitIdle()
    {
        _idle.Wait();
        if (_failure is { } e)
        {
            _failure = null;
            throw new InvalidOperationException($"{_what} failed: {e.Message}", e);
        }
    }

    /// <summary>Runs the job on the worker thread.</summary>
    internal void Run()
    {
        try { _job(); }
        catch (Exception e) { _failure = e; }
        _idle.Set();
    }
}

/// <summary>A parked background thread running queued <see cref="ChunkWorker"/> jobs in arrival order.</summary>
internal sealed class ChunkThread
{
    private static readonly object PoolGate = new();
    private static ChunkThread[]? _pool;
    private static int _next;

    private readonly Queue<ChunkWorker> _queue = new();

    private ChunkThread(string name)
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>A thread of its own, outside the pool (for a job that runs as long as the caller's own work).</summary>
    public static ChunkThread Dedicated(string name) => new(name);

    /// <summary>The thread for a new handle: the pool's threads in turn (one fewer than the processors, at least one).</summary>
    public static ChunkThread Next()
    {
        lock (PoolGate)
        {
            if (_pool is null)
            {
                _pool = new ChunkThread[Math.Max(1, Environment.ProcessorCount - 1)];
                for (int i = 0; i < _pool.Length; i++) _pool[i] = new ChunkThread($"dfc-forward-rule-{i}");
            }
            return _pool[_next++ % _pool.Length];
        }
    }

    public void Enqueue(ChunkWorker job)
    {
        lock (_queue)
        {
            _queue.Enqueue(job);
            Monitor.Pulse(_queue);
        }
    }

    private void Loop()
    {
        while (true)
        {
            ChunkWorker job;
            lock (_queue)
            {
                while (_queue.Count == 0) Monitor.Wait(_queue);
                job = _queue.Dequeue();
            }
            job.Run();
        }
    }
}
