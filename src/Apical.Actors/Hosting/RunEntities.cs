using Akka.Actor;
using Apical.Actors.Protocol;
using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Actors.Hosting;

/// <summary>
/// The hosted entities of one run, shared by the discrete (<see cref="RunCoordinator"/>) and continuous-time
/// (<see cref="ContinuousRun"/>) drivers: starts and wires them through a <see cref="CoordinatorActor"/>, waits
/// on replies while watching for a node's failure, collects parameters, and stops them. Its methods block the
/// calling thread — never call them from inside an actor.
/// </summary>
internal sealed class RunEntities
{
    private readonly ActorSystem _system;
    private readonly ILayerHost _host;
    private readonly IActorRef _coordinator;
    private readonly TimeSpan _timeout;
    private readonly int _count;

    public RunEntities(ActorSystem system, ILayerHost host, string runId, RunBlueprint blueprint, int nodeCount, TimeSpan timeout)
    {
        if (runId.Length == 0 || runId.Contains('/'))
            throw new ArgumentException($"run id '{runId}' must be non-empty and contain no '/'");
        _system = system;
        _host = host;
        _timeout = timeout;
        _count = nodeCount;
        RunId = runId;
        var ready = new TaskCompletionSource<IActorRef[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Failed = failed.Task;
        _coordinator = system.ActorOf(Props.Create(() => new CoordinatorActor(runId, blueprint, nodeCount, host, ready, failed)), $"coordinator-{runId}");
        try
        {
            Nodes = Wait(ready.Task, "starting the run's entities");
        }
        catch
        {
            Stop();
            throw;
        }
    }

    public string RunId { get; }

    /// <summary>The reference of every hosted node (index = node id; 0 is the source, hosted by the caller).</summary>
    public IActorRef[] Nodes { get; }

    /// <summary>Faults when a node reports a failure.</summary>
    public Task<bool> Failed { get; }

    /// <summary>Throws the node's own failure if one was reported.</summary>
    public void ThrowIfFailed()
    {
        if (Failed.IsFaulted) throw Failed.Exception!.InnerException!;
    }

    /// <summary>Waits for a reply, or fails with the node's report, or times out naming <paramref name="what"/>.</summary>
    public T Wait<T>(Task<T> task, string what)
    {
        int i = Task.WaitAny(new Task[] { task, Failed }, _timeout);
        ThrowIfFailed();
        if (i < 0) throw new TimeoutException($"run {RunId}: timed out after {_timeout.TotalSeconds:0.#} s {what}");
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException($"run {RunId}: timed out {what}", e);
        }
        catch (Exception) when (Task.WaitAny(new Task[] { Failed }, TimeSpan.FromSeconds(5)) == 0 && Failed.IsFaulted)
        {
            throw Failed.Exception!.InnerException!; // a node's own report says more than the reply that failed
        }
    }

    /// <summary>Copies of every parameterised node's parameters (node id → named tensors).</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> Parameters()
    {
        var waits = new Task<ParameterSet>[Nodes.Length - 1];
        for (int n = 1; n < Nodes.Length; n++)
            waits[n - 1] = Nodes[n].Ask<ParameterSet>(new GetParameters(RunId), _timeout);
        var result = new Dictionary<int, IReadOnlyList<NamedTensor>>();
        foreach (var w in waits)
        {
            var p = Wait(w, "collecting parameters");
            if (p.Names.Length == 0) continue;
            var list = new NamedTensor[p.Names.Length];
            for (int i = 0; i < list.Length; i++)
                list[i] = new NamedTensor(p.Names[i], new Tensor(p.Rows[i], p.Cols[i], p.Values[i]));
            result[p.NodeId] = list;
        }
        return result;
    }

    /// <summary>Sends <paramref name="command"/> to node <paramref name="node"/> and waits for its reply; a refusal
    /// throws <see cref="ArgumentException"/> with the node's reason.</summary>
    public NodeReply Command(int node, NodeCommand command)
    {
        if (node < 1 || node >= Nodes.Length) throw new ArgumentOutOfRangeException(nameof(node), $"node {node} is not a hosted node of run {RunId}");
        return Result(Wait(Nodes[node].Ask<NodeCommandDone>(new CommandNode(RunId, command), _timeout), $"waiting for node {node} to do {command.Verb}"));
    }

    /// <summary>Sends one command to each of several nodes at once and waits for every reply (in the given order).</summary>
    public NodeReply[] Command(IReadOnlyList<(int Node, NodeCommand Command)> commands)
    {
        var waits = new Task<NodeCommandDone>[commands.Count];
        for (int i = 0; i < waits.Length; i++)
        {
            var (node, command) = commands[i];
            if (node < 1 || node >= Nodes.Length) throw new ArgumentOutOfRangeException(nameof(commands), $"node {node} is not a hosted node of run {RunId}");
            waits[i] = Nodes[node].Ask<NodeCommandDone>(new CommandNode(RunId, command), _timeout);
        }
        var replies = new NodeReply[waits.Length];
        for (int i = 0; i < waits.Length; i++) replies[i] = Result(Wait(waits[i], $"waiting for node {commands[i].Node} to do {commands[i].Command.Verb}"));
        return replies;
    }

    private static NodeReply Result(NodeCommandDone done) =>
        done.Error is null ? done.Reply ?? NodeReply.Empty : throw new ArgumentException($"node {done.NodeId}: {done.Error}");

    /// <summary>Stops the coordinator first (so the entities' ends are not taken for lost nodes), then every entity.</summary>
    public void Stop()
    {
        _system.Stop(_coordinator);
        Failed.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        for (int n = 1; n < _count; n++)
            _host.Send(RunId, n, _count, new StopLayer(RunId), ActorRefs.NoSender);
    }
}
