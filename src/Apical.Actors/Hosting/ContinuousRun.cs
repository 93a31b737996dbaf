using Akka.Actor;
using Apical.Actors.Protocol;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Actors.Hosting;

/// <summary>
/// A continuous-time run on actors: starts and wires the run's entities (any rule whose graph builder is
/// registered, see <see cref="GraphBuilders"/>), then streams the source through them — in lockstep (a
/// <see cref="LockstepDriverActor"/>: credit-based, bit-identical to <see cref="InProcessLockstepEngine"/>) or free
/// running (a <see cref="FreeRunDriverActor"/>: every node on its own clock, not reproducible). Reads state and
/// per-link statistics back from the entities. Its methods block the calling thread — call them from an ordinary
/// thread, never from inside an actor.
/// </summary>
public sealed class ContinuousRun : ILockstepEngine
{
    private readonly ActorSystem _system;
    private readonly ILayerHost _host;
    private readonly ContinuousRunOptions _options;
    private readonly Topology _topology;
    private readonly RunEntities _entities;
    private readonly Task<bool> _failed;
    private readonly IActorRef[] _nodes;
    private readonly int _batchCapacity;
    private readonly ulong _seed;
    private long _next;
    private bool _disposed;

    public ContinuousRun(ActorSystem system, ILayerHost host, RunConfig config, GraphShape shape, ContinuousRunOptions? options = null)
    {
        _system = system;
        _host = host;
        _options = options ?? new ContinuousRunOptions();
        RunId = _options.RunId;
        _topology = GraphBuilders.Build(config, shape, _options.Graph);
        if (_topology.Nodes[0] is not IStepSource)
            throw new ArgumentException($"node 0 ('{_topology.Nodes[0].Name}') of graph '{_options.Graph ?? GraphBuilders.NameOf(config.Rule)}' is not a step source");
        _batchCapacity = Math.Max(config.BatchSize, config.Evaluation.BatchSize);
        _seed = config.Seed;
        var blueprint = RunBlueprintCodec.Create(config, shape.InputWidth, shape.OutputWidth, shape.Classification) with
        {
            Graph = _options.Graph,
            FreeRunning = _options.FreeRunning,
        };
        _entities = new RunEntities(system, host, RunId, blueprint, _topology.Nodes.Count, _options.Timeout);
        _failed = _entities.Failed;
        _nodes = _entities.Nodes;
    }

    public string RunId { get; }

    /// <summary>The run's graph as the coordinator built it (node 0, the source, runs here; the others are entities).</summary>
    public Topology Topology => _topology;

    /// <summary>The reference of every hosted node (index = node id; 0 is the coordinator).</summary>
    public IReadOnlyList<IActorRef> Nodes => _nodes;

    public bool Reproducible => !_options.FreeRunning;

    /// <summary>Source steps streamed so far.</summary>
    public long Steps => _next;

    public void Run(long steps)
    {
        if (steps <= _next) return;
        var state = new ContinuousRunState();
        Props props;
        if (_options.FreeRunning)
        {
            var rates = new double[_nodes.Length];
            for (int n = 1; n < rates.Length; n++)
            {
                rates[n] = _options.Rates is not null && _options.Rates.TryGetValue(n, out double r) ? r : 1.0;
                if (!(rates[n] > 0 && rates[n] <= 1e6)) throw new ArgumentException($"node {n}: relative rate {rates[n]} must lie in (0, 1e6]");
            }
            props = Props.Create(() => new FreeRunDriverActor(RunId, _topology, _host, _nodes, _next, steps, rates, _options.FreeBatch, _options.Window, _batchCapacity, state));
        }
        else
        {
            var last = LastSteps(_topology, steps, _seed);
            props = Props.Create(() => new LockstepDriverActor(RunId, _topology, _host, _nodes, _next, steps, last,
                _options.Window, _options.Windows, _batchCapacity, state));
        }
        var driver = _system.ActorOf(props, $"driver-{RunId}-{_next}");
        try
        {
            WaitActive(state, $"streaming steps {_next} … {steps - 1}");
        }
        finally
        {
            _system.Stop(driver);
        }
        _next = steps;
    }

    /// <summary>The last step every node fires when the source has sent steps 0 … steps − 1 (the greatest fixed
    /// point over the links, from the source's last step). Over a plain link of delay d a receiver fires up to the
    /// sender's last step + d; over a link with jitter or loss it goes on while every stamp it would need beyond the
    /// sender's last one is (by the seeded draws) lost or still in flight — the rule of the sample-and-hold port.</summary>
    public static long[] LastSteps(Topology topology, long steps, ulong seed)
    {
        int n = topology.Nodes.Count;
        var last = new long[n];
        Array.Fill(last, long.MaxValue);
        last[0] = steps - 1;
        for (int round = 0; round <= n; round++)
        {
            bool changed = false;
            for (int v = 1; v < n; v++)
            {
                long best = long.MaxValue;
                for (int i = 0; i < topology.Links.Count; i++)
                {
                    var l = topology.Links[i];
                    if (l.To != v || last[l.From] == long.MaxValue) continue;
                    best = Math.Min(best, LastOver(l, i, seed, last[l.From]));
                }
                if (best != last[v]) { last[v] = best; changed = true; }
            }
            if (!changed) break;
        }
        for (int v = 1; v < n; v++)
            if (last[v] == long.MaxValue)
                throw new ArgumentException($"node '{topology.Nodes[v].Name}' is not fed by the source: a lockstep run would never end");
        return last;
    }

    /// <summary>The receiver's last step over one link whose sender's last stamp is <paramref name="senderLast"/>:
    /// the step before the first t that needs a stamp s in (senderLast, t − delay] that is not lost and has arrived.</summary>
    private static long LastOver(Link l, int index, ulong seed, long senderLast)
    {
        if (!l.HasModel) return senderLast + l.Delay;
        for (long t = senderLast + l.Delay + 1; ; t++)
            for (long s = senderLast + 1; s <= t - l.Delay; s++)
                if (!l.Dropped(seed, index, s) && l.Arrival(seed, index, s) <= t) return t - 1;
    }

    public IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> Parameters() => _entities.Parameters();

    public IReadOnlyList<(Link Link, PortStatistics Statistics)> LinkStatistics() => QueryLinks().Links;

    public NodeReply Command(int node, NodeCommand command) => _entities.Command(node, command);

    /// <summary>One command to each of several nodes at once; waits for every reply (in the given order).</summary>
    public NodeReply[] Command(IReadOnlyList<(int Node, NodeCommand Command)> commands) => _entities.Command(commands);

    /// <summary>Windows the entities sent over remote links, and the steps those windows carried.</summary>
    public (long Windows, long Messages) WindowsSent()
    {
        var q = QueryLinks();
        return (q.Windows, q.Messages);
    }

    private (List<(Link, PortStatistics)> Links, long Windows, long Messages) QueryLinks()
    {
        long windows = 0, messages = 0;
        var waits = new Task<LinkStatisticsReport>[_nodes.Length - 1];
        for (int n = 1; n < _nodes.Length; n++)
            waits[n - 1] = _nodes[n].Ask<LinkStatisticsReport>(new GetLinkStatistics(RunId), _options.Timeout);
        var byPort = new Dictionary<(int Node, int Port), PortStatistics>();
        foreach (var w in waits)
        {
            var r = Wait(w, "collecting link statistics");
            windows += r.WindowsSent;
            messages += r.WindowedMessages;
            for (int i = 0; i < r.Ports.Length; i++)
                byPort[(r.NodeId, r.Ports[i])] = new PortStatistics
                {
                    Dropped = r.Dropped[i], Late = r.Late[i], Firings = r.Firings[i], StalenessSum = r.StalenessSum[i],
                };
        }
        var result = new List<(Link, PortStatistics)>();
        foreach (var l in _topology.Links)
            if (byPort.TryGetValue((l.To, l.Port), out var s)) result.Add((l, s));
        return (result, windows, messages);
    }

    /// <summary>What the run did: its mode (and whether it is reproducible) and every reported link.</summary>
    public ContinuousRunReport Report() => new(RunId, _next, !_options.FreeRunning, _topology, LinkStatistics());

    private void WaitActive(ContinuousRunState state, string what)
    {
        while (true)
        {
            int i = Task.WaitAny(new Task[] { state.Done.Task, _failed }, 200);
            if (_failed.IsFaulted) throw _failed.Exception!.InnerException!;
            if (i == 0)
            {
                state.Done.Task.GetAwaiter().GetResult();
                return;
            }
            if (state.IdleFor > _options.Timeout)
                throw new TimeoutException($"run {RunId}: no progress for {_options.Timeout.TotalSeconds:0.#} s {what}");
        }
    }

    private T Wait<T>(Task<T> task, string what) => _entities.Wait(task, what);

    private void Stop() => _entities.Stop();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stop();
    }
}

/// <summary>How a continuous-time run is hosted on the actor runtime.</summary>
public sealed class ContinuousRunOptions
{
    /// <summary>The run id (entity ids are <c>&lt;run&gt;/&lt;node&gt;</c>); unique per cluster, without '/'.</summary>
    public string RunId { get; init; } = "run-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The registered graph builder (null: the rule's own).</summary>
    public string? Graph { get; init; }

    /// <summary>Source steps the driver may send beyond the slowest node's progress (the credit; free running: the
    /// progress in source steps, a node's own steps divided by its rate).</summary>
    public int Window { get; init; } = 16;

    /// <summary>Lockstep: links of delay d ≥ 2 to remote nodes carry up to d steps per message.</summary>
    public bool Windows { get; init; } = true;

    /// <summary>Every node steps on its own clock with the newest inputs (not bit-reproducible).</summary>
    public bool FreeRunning { get; init; }

    /// <summary>Free running: steps per tick of a node at rate 1 (the mailbox batch).</summary>
    public int FreeBatch { get; init; } = 8;

    /// <summary>Free running: node id → steps per source step (default 1: as fast as the source).</summary>
    public IReadOnlyDictionary<int, double>? Rates { get; init; }

    /// <summary>How long the run may go without progress (or a single query may take) before it is abandoned.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Shared between a blocking <see cref="ContinuousRun"/> and its driver actor.</summary>
internal sealed class ContinuousRunState
{
    private long _lastActivity = Environment.TickCount64;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    public TimeSpan IdleFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActivity));
}
