using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>
/// What a continuous-time run needs from an engine: stream the source's steps 0 … steps − 1 (node 0, an
/// <see cref="IStepSource"/>) through the graph until every node has fired what those inputs allow, then read
/// the nodes' state and what the links with a model did. The in-process engine and the actor runtime both
/// implement it; in lockstep both give bit-identical results.
/// </summary>
public interface ILockstepEngine : IDisposable
{
    /// <summary>Runs source steps 0 … <paramref name="steps"/> − 1 to completion (blocks the calling thread).</summary>
    void Run(long steps);

    /// <summary>Whether results are reproducible to the bit (lockstep) or depend on timing (free running).</summary>
    bool Reproducible { get; }

    /// <summary>Every node's named tensors (parameters and state), node id → tensors.</summary>
    IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> Parameters();

    /// <summary>What each link with a jitter or loss model (or every link, free running) did so far.</summary>
    IReadOnlyList<(Link Link, PortStatistics Statistics)> LinkStatistics();

    /// <summary>Delivers a control-plane command to a node between its firings and returns its reply. Call it
    /// between runs (not while <see cref="Run"/> streams); what the command lets the graph compute is done before
    /// the engine next reports progress.</summary>
    NodeReply Command(int node, NodeCommand command);
}

/// <summary>The in-process engine behind <see cref="ILockstepEngine"/>: every step pumped to completion at once.</summary>
public sealed class InProcessLockstepEngine : ILockstepEngine
{
    private readonly IStepSource _source;
    private long _next;

    public InProcessLockstepEngine(Topology topology, string runId, int batchCapacity, ulong linkSeed, int? deliveryShuffleSeed = null)
    {
        _source = topology.Nodes[0] as IStepSource
            ?? throw new ArgumentException($"node 0 ('{topology.Nodes[0].Name}') is not a step source", nameof(topology));
        Engine = new InProcessEngine(topology, runId, batchCapacity, deliveryShuffleSeed, linkSeed);
    }

    public InProcessEngine Engine { get; }

    public bool Reproducible => true;

    public void Run(long steps)
    {
        var outbox = Engine.OutboxOf(0);
        for (; _next < steps; _next++)
        {
            _source.EmitStep(_next, outbox);
            Engine.Pump();
        }
    }

    public IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> Parameters()
    {
        var result = new Dictionary<int, IReadOnlyList<NamedTensor>>();
        foreach (var node in Engine.Topology.Nodes)
            if (node is IParameterized p) result[node.Id] = p.Parameters;
        return result;
    }

    public IReadOnlyList<(Link Link, PortStatistics Statistics)> LinkStatistics() => Engine.LinkStatistics();

    public NodeReply Command(int node, NodeCommand command) => Engine.Command(node, command);

    public void Dispose() => Engine.Dispose();
}
