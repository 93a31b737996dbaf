using Akka.Actor;
using Akka.Event;
using Apical.Actors.Protocol;
using Apical.Core.Checkpoints;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Nodes;

namespace Apical.Actors.Hosting;

/// <summary>
/// Hosts any <see cref="INode"/> of a run with a <see cref="NodeGate"/> — the same node class and the same gate
/// as the in-process engine, so the node's sequence of firings (and its results) does not depend on when
/// messages arrive. Nothing here knows a learning rule. Tensors arrive as <see cref="Message"/>s and are matched
/// to an input port by (sender, kind) through the topology; outputs leave through an <see cref="ActorOutbox"/>.
/// Malformed or stray messages are logged and dropped; a failing node reports to its coordinator and stops
/// computing, it never takes the actor system down.
/// <para>
/// The node comes from the graph builder the run's blueprint names (<see cref="GraphBuilders"/>), so any rule's
/// nodes can be hosted. In a lockstep run the entity reports its progress to the run's driver (the credit that
/// paces the source) and may send windows of steps over remote links; in a free-running run it steps on its own
/// clock in self-addressed ticks of a few steps, so tensors and control messages interleave with its steps and no
/// dispatcher thread ever waits.
/// </para>
/// </summary>
public sealed class LayerActor : UntypedActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(AwaitStep Request, IActorRef ReplyTo)> _awaits = new();
    private string? _runId;
    private INode? _node;
    private NodeGate? _gate;
    private Topology? _topology;
    private (string RunId, RunBlueprint Blueprint, Topology Graph)? _borrowed; // the graph this entity's node was lent from
    private ActorOutbox? _outbox;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private int[] _portOf = Array.Empty<int>(); // [from * 8 + kind] → input port, −1 when no such link
    private bool _hasBackward;
    private bool _failed;
    private IActorRef? _driver;         // lockstep or free-running driver
    private int _reportEvery = 1;
    private long _reported = long.MinValue;
    private bool _flushAlways;
    private long _freeStep, _freeSteps; // free running: own clock
    private double _freeRate, _freeCarry;
    private int _freeBatch;
    private bool _freeActive;

    public static Props Props() => Akka.Actor.Props.Create(() => new LayerActor());

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Message m: OnTensor(m); break;
            case MessageWindow w: OnWindow(w); break;
            case FreeTick: OnFreeTick(); break;
            case LockstepStart l: OnLockstepStart(l); break;
            case FlushWindows f: OnFlushWindows(f); break;
            case FreeRun f: OnFreeRun(f); break;
            case GetLinkStatistics g: OnGetLinkStatistics(g); break;
            case StartLayer s: OnStart(s); break;
            case ConnectLayer c: OnConnect(c); break;
            case AwaitStep a: OnAwait(a); break;
            case TakeLoss t: OnTakeLoss(t); break;
            case GetParameters g: OnGetParameters(g); break;
            case CommandNode c: OnCommand(c); break;
            case GetCheckpoint c: OnGetCheckpoint(c); break;
            case RestoreCheckpoint r: OnRestoreCheckpoint(r); break;
            case StopLayer s when _runId is null || s.RunId == _runId: Stop(); break; // also a fresh entity the stop created
            case Terminated t: OnTerminated(t); break;
            default:
                _log.Warning("layer {0}: dropping unexpected message {1}", _node?.Name ?? "(not started)", message);
                Unhandled(message);
                break;
        }
    }

    private void OnStart(StartLayer s)
    {
        if (_runId is not null)
        {
            if (s.RunId == _runId && s.NodeId == _node!.Id)
                Sender.Tell(new LayerStarted(s.RunId, s.NodeId, Self)); // a repeated handshake is answered again
            else
                _log.Warning("layer {0} of run {1}: ignoring a start for run {2} node {3}", _node!.Name, _runId, s.RunId, s.NodeId);
            return;
        }
        try
        {
            var config = RunBlueprintCodec.ReadConfig(s.Blueprint);
            var topology = SharedRunGraphs.Take(s.RunId, s.Blueprint, s.NodeId, () => GraphBuilders.Build(config, s.Blueprint.Shape, s.Blueprint.Graph));
            if ((uint)s.NodeId >= (uint)topology.Nodes.Count || topology.Nodes[s.NodeId].Schedule.Kind == ScheduleKind.Source)
                throw new ArgumentException($"node {s.NodeId} is not a hostable node of this run ({topology.Nodes.Count} nodes)");
            _borrowed = (s.RunId, s.Blueprint, topology);
            var node = topology.Nodes[s.NodeId];
            for (int p = 0; p < node.Inputs.Count; p++)
                if (node.Inputs[p].Trigger == 1) _hasBackward = true;
            _portOf = new int[topology.Nodes.Count * 8];
            Array.Fill(_portOf, -1);
            foreach (var l in topology.LinksInto(node.Id)) _portOf[l.From * 8 + (int)l.Kind] = l.Port;
            int batchCapacity = Math.Max(config.BatchSize, config.Evaluation.BatchSize);
            _outbox = new ActorOutbox(node, topology, s.RunId, batchCapacity, Self, Context.System.Settings.SerializeAllMessages);
            _gate = new NodeGate(node, topology, config.Seed, s.Blueprint.FreeRunning);
            _topology = topology;
            _node = node;
            _runId = s.RunId;
            _coordinator = s.Coordinator;
            Sender.Tell(new LayerStarted(s.RunId, s.NodeId, Self));
        }
        catch (Exception e)
        {
            _log.Error(e, "run {0}: node {1} could not start", s.RunId, s.NodeId);
            s.Coordinator.Tell(new LayerFailed(s.RunId, s.NodeId, $"could not start: {e.Message}"));
        }
    }

    private void OnConnect(ConnectLayer c)
    {
        if (!Check(c.RunId, c)) return;
        if (c.Nodes.Length != _topology!.Nodes.Count)
        {
            Fail($"connect message lists {c.Nodes.Length} nodes, the run has {_topology.Nodes.Count}");
            return;
        }
        _outbox!.SetRegion(c.Region, c.Placement);
        foreach (var l in _topology.LinksFrom(_node!.Id))
        {
            var target = c.Nodes[l.To];
            if (_outbox.TargetOf(l.To) is not null) continue;
            _outbox.SetTarget(l.To, target);
            Context.Watch(target);
        }
        Sender.Tell(new LayerConnected(c.RunId, _node.Id));
    }

    private void OnTensor(Message m)
    {
        if (!Accept(m)) return;
        try
        {
            FireReady();
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    private void OnWindow(MessageWindow w)
    {
        var messages = w.Messages;
        if (messages is null || messages.Length == 0)
        {
            _log.Warning("layer {0}: dropping an empty window", _node?.Name ?? "(not started)");
            return;
        }
        for (int i = 0; i < messages.Length; i++)
        {
            if (Accept(messages[i])) continue;
            for (int k = i + 1; k < messages.Length; k++) messages[k].Release();
            return;
        }
        try
        {
            FireReady();
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Hands a tensor to the gate; false (message released, the reason logged or the node failed) when it does not belong here.</summary>
    private bool Accept(Message m)
    {
        if (_failed || _gate is null || m.RunId != _runId)
        {
            if (!_failed)
                _log.Warning("layer {0}: dropping {1} (run {2})", _node?.Name ?? "(not started)", m, _runId ?? "none");
            m.Release();
            return false;
        }
        int port = (uint)m.Sender < (uint)_topology!.Nodes.Count ? _portOf[m.Sender * 8 + ((int)m.Kind & 7)] : -1;
        if (port < 0)
        {
            _log.Warning("layer {0}: no link brings {1}; dropped", _node!.Name, m);
            m.Release();
            return false;
        }
        try
        {
            _gate.Accept(port, m);
            return true;
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
            return false;
        }
    }

    private void FireReady()
    {
        var gate = _gate!;
        var node = _node!;
        var outbox = _outbox!;
        bool fired = false;
        while (gate.TryNext(out int trigger, out var phase, out long step))
        {
            outbox.SegmentEnd = SegmentEnd(gate.Inputs);
            node.Fire(trigger, phase, step, gate.Inputs, outbox);
            gate.Complete(trigger, phase, step);
            fired = true;
        }
        if (!fired) return;
        if (_flushAlways) outbox.FlushAll();
        if (_driver is not null) ReportProgress(force: _flushAlways);
        if (_awaits.Count > 0) AnswerAwaits();
    }

    private void ReportProgress(bool force)
    {
        long next = _gate!.NextForward(Phase.Train);
        if (next == _reported || (!force && next < _reported + _reportEvery)) return;
        _reported = next;
        _driver!.Tell(new StepProgress(_runId!, _node!.Id, next));
    }

    private void OnLockstepStart(LockstepStart l)
    {
        if (!Check(l.RunId, l)) return;
        if (_gate!.FreeRunning)
        {
            Fail("a lockstep start reached a free-running node");
            return;
        }
        _driver = l.Driver;
        _reportEvery = Math.Max(1, l.ReportEvery);
        _outbox!.Windows = l.Windows;
        _flushAlways = false;
        _reported = long.MinValue;
        try
        {
            FireReady(); // steps whose inputs all come from before step 0 need no message
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
            return;
        }
        ReportProgress(force: true);
    }

    private void OnFlushWindows(FlushWindows f)
    {
        if (!Check(f.RunId, f)) return;
        _flushAlways = true;
        _outbox!.FlushAll();
        if (_driver is not null) ReportProgress(force: true);
    }

    private void OnFreeRun(FreeRun f)
    {
        if (!Check(f.RunId, f)) return;
        if (!_gate!.FreeRunning)
        {
            Fail("a free-running start reached a lockstep node (the blueprint was not built for free running)");
            return;
        }
        if (!(f.Rate > 0) || f.Batch < 1 || f.Steps < 0)
        {
            _log.Warning("layer {0}: ignoring {1} (rate must be > 0, batch >= 1, steps >= 0)", _node!.Name, f);
            return;
        }
        _driver = f.Driver;
        _freeSteps = _freeStep + f.Steps;
        _freeRate = f.Rate;
        _freeBatch = f.Batch;
        _freeCarry = 0;
        if (!_freeActive)
        {
            _freeActive = true;
            Self.Tell(FreeTick.Instance);
        }
    }

    /// <summary>One tick of a free-running node: up to rate × batch steps with the newest inputs, then the next tick
    /// goes to the back of the mailbox, behind the tensors that arrived meanwhile.</summary>
    private void OnFreeTick()
    {
        if (_failed || !_freeActive) return;
        var gate = _gate!;
        var node = _node!;
        var outbox = _outbox!;
        _freeCarry += _freeRate * _freeBatch;
        int n = (int)_freeCarry;
        _freeCarry -= n;
        try
        {
            for (int i = 0; i < n && _freeStep < _freeSteps; i++, _freeStep++)
            {
                gate.PrepareFree(_freeStep);
                node.Fire(0, Phase.Train, _freeStep, gate.Inputs, outbox);
                gate.Complete(0, Phase.Train, _freeStep);
            }
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
            return;
        }
        if (_freeStep < _freeSteps)
        {
            _driver!.Tell(new StepProgress(_runId!, node.Id, _freeStep));
            Self.Tell(FreeTick.Instance);
            return;
        }
        _freeActive = false;
        _driver!.Tell(new FreeRunDone(_runId!, node.Id, _freeStep));
    }

    private void OnGetLinkStatistics(GetLinkStatistics g)
    {
        if (!Check(g.RunId, g)) return;
        var ports = new List<int>();
        for (int p = 0; p < _node!.Inputs.Count; p++)
        {
            var (link, _) = _topology!.LinkInto(_node.Id, p);
            if (link.HasModel || _gate!.FreeRunning) ports.Add(p);
        }
        int count = ports.Count;
        var dropped = new long[count];
        var late = new long[count];
        var firings = new long[count];
        var staleness = new double[count];
        for (int i = 0; i < count; i++)
        {
            var st = _gate!.StatisticsOf(ports[i]);
            (dropped[i], late[i], firings[i], staleness[i]) = (st.Dropped, st.Late, st.Firings, st.StalenessSum);
        }
        Sender.Tell(new LinkStatisticsReport(_runId!, _node.Id, ports.ToArray(), dropped, late, firings, staleness,
            _outbox!.WindowsSent, _outbox.WindowedMessages));
    }

    private static long SegmentEnd(ReadOnlySpan<Message?> inputs)
    {
        long end = long.MaxValue;
        foreach (var m in inputs)
            if (m is not null && m.Step >= 0 && m.SegmentEnd < end) end = m.SegmentEnd;
        return end;
    }

    private void OnAwait(AwaitStep a)
    {
        if (!Check(a.RunId, a)) return;
        _awaits.Add((a, Sender));
        AnswerAwaits();
    }

    private void AnswerAwaits()
    {
        int kept = 0;
        for (int i = 0; i < _awaits.Count; i++) // in request order, so answers arrive in step order
        {
            var (a, replyTo) = _awaits[i];
            if (!Reached(a.Phase, a.Step))
            {
                _awaits[kept++] = _awaits[i];
                continue;
            }
            double loss = double.NaN, accuracy = double.NaN;
            if (_node is LossNode ln) (loss, accuracy) = ln.Peek(a.Phase);
            replyTo.Tell(new StepReached(a.RunId, _node!.Id, a.Phase, a.Step, _gate!.Pending, loss, accuracy));
        }
        _awaits.RemoveRange(kept, _awaits.Count - kept);
    }

    private bool Reached(Phase phase, long step)
    {
        var gate = _gate!;
        if (gate.NextForward(phase) <= step) return false;
        return phase != Phase.Train || !_hasBackward || gate.NextBackward > step;
    }

    private void OnTakeLoss(TakeLoss t)
    {
        if (!Check(t.RunId, t)) return;
        if (_node is not LossNode loss)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"node '{_node!.Name}' is not the loss node")));
            return;
        }
        var (l, a, n) = loss.Take(t.Phase);
        Sender.Tell(new LossTaken(t.RunId, t.Phase, l, a, n));
    }

    /// <summary>Delivers a command between firings, answers with the node's reply, then fires what became ready
    /// (a command may start a cycle of messages). A refused command (unknown verb, bad arguments) is answered with
    /// its reason and leaves the node running; any other exception fails the node.</summary>
    private void OnCommand(CommandNode c)
    {
        if (!Check(c.RunId, c)) return;
        if (_node is not ICommandTarget target)
        {
            Sender.Tell(new NodeCommandDone(c.RunId, _node!.Id, null, $"node '{_node.Name}' takes no commands (it was sent {c.Command.Verb})"));
            return;
        }
        NodeReply reply;
        try
        {
            reply = target.Execute(c.Command, _outbox!);
        }
        catch (ArgumentException e)
        {
            _log.Warning("layer {0}: command {1} refused: {2}", _node.Name, c.Command, e.Message);
            Sender.Tell(new NodeCommandDone(c.RunId, _node.Id, null, e.Message));
            return;
        }
        catch (Exception e)
        {
            Fail($"command {c.Command.Verb}: {e.GetType().Name}: {e.Message}", e);
            Sender.Tell(new NodeCommandDone(c.RunId, _node.Id, null, $"node '{_node.Name}' failed: {e.Message}"));
            return;
        }
        Sender.Tell(new NodeCommandDone(c.RunId, _node.Id, reply, null));
        try
        {
            FireReady();
        }
        catch (Exception e)
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    private void OnGetCheckpoint(GetCheckpoint c)
    {
        if (!Check(c.RunId, c)) return;
        var state = _node is ICheckpointable cp ? CheckpointWriter.ToBytes(cp, _node.Id, _node.Name) : Array.Empty<byte>();
        Sender.Tell(new CheckpointData(c.RunId, _node!.Id, state));
    }

    private void OnRestoreCheckpoint(RestoreCheckpoint r)
    {
        if (!Check(r.RunId, r)) return;
        try
        {
            if (_node is ICheckpointable cp) CheckpointReader.FromBytes(cp, r.State, r.Source, _node.Id, _node.Name);
            _gate!.Seek(r.TrainStep, r.ValidationStep, r.TestStep);
            Sender.Tell(new CheckpointRestored(r.RunId, _node!.Id, null));
        }
        catch (Exception e) when (e is CheckpointException or InvalidOperationException or EndOfStreamException)
        {
            _log.Warning("layer {0}: checkpoint refused: {1}", _node!.Name, e.Message);
            Sender.Tell(new CheckpointRestored(r.RunId, _node!.Id, e.Message));
        }
    }

    private void OnGetParameters(GetParameters g)
    {
        if (!Check(g.RunId, g)) return;
        var ps = _node is IParameterized p ? p.Parameters : Array.Empty<NamedTensor>();
        var names = new string[ps.Count];
        var rows = new int[ps.Count];
        var cols = new int[ps.Count];
        var values = new float[ps.Count][];
        for (int i = 0; i < ps.Count; i++)
        {
            names[i] = ps[i].Name;
            rows[i] = ps[i].Tensor.Rows;
            cols[i] = ps[i].Tensor.Cols;
            values[i] = ps[i].Tensor.ReadOnlySpan.ToArray();
        }
        Sender.Tell(new ParameterSet(g.RunId, _node!.Id, names, rows, cols, values));
    }

    private void OnTerminated(Terminated t)
    {
        if (_topology is null || _outbox is null) return;
        for (int n = 0; n < _topology.Nodes.Count; n++)
        {
            if (!Equals(_outbox.TargetOf(n), t.ActorRef)) continue;
            _log.Info("layer {0}: neighbour {1} terminated; routing to it through the shard region", _node!.Name, n);
            _outbox.SetTarget(n, null);
        }
    }

    private bool Check(string runId, object message)
    {
        if (_runId is not null && runId == _runId && !_failed) return true;
        if (_failed)
            Sender.Tell(new Status.Failure(new InvalidOperationException($"node {_node?.Name} of run {_runId} has failed")));
        else
            _log.Warning("layer {0}: {1} is not for this entity (run {2})", _node?.Name ?? "(not started)", message, _runId ?? "none");
        return false;
    }

    private void Fail(string reason, Exception? e = null)
    {
        if (_failed) return;
        _failed = true;
        _log.Error(e, "run {0}: node {1} failed: {2}", _runId, _node?.Name, reason);
        _coordinator.Tell(new LayerFailed(_runId ?? "", _node?.Id ?? -1, $"node '{_node?.Name}': {reason}"));
        foreach (var (_, replyTo) in _awaits)
            replyTo.Tell(new Status.Failure(new InvalidOperationException($"node '{_node?.Name}' failed: {reason}")));
        _awaits.Clear();
        _freeActive = false;
        _gate?.Clear();
        _outbox?.Clear();
    }

    private void Stop()
    {
        _gate?.Clear();
        _outbox?.Clear();
        _awaits.Clear();
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        _gate?.Clear();
        _outbox?.Clear();
        if (_borrowed is { } b) SharedRunGraphs.Return(b.RunId, b.Blueprint, b.Graph);
        base.PostStop();
    }
}

/// <summary>A free-running node's self-addressed tick (never leaves its actor system).</summary>
internal sealed class FreeTick : INoSerializationVerificationNeeded
{
    public static readonly FreeTick Instance = new();
    private FreeTick() { }
}
