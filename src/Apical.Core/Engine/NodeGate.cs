using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Engine;

/// <summary>
/// Decides, from the messages a node holds, which firing comes next. Shared by every engine (in-process and
/// actors), so a node's sequence of firings — and hence its results — never depends on message timing.
/// <list type="bullet">
/// <item>Lockstep: step t fires once every port holds the message stamped t − delay (steps before 0 read zeros).</item>
/// <item>Pipelined with depth S: forwards in order, backwards in order, F(k) only after B(k−S−1) and B(k) only
/// after F(k+S) (or after the last forward of its training segment). Evaluation phases fire forwards in order.</item>
/// </list>
/// </summary>
public sealed class NodeGate
{
    private const int PhaseCount = 3;
    private readonly INode _node;
    private readonly int[] _delays;
    private readonly StepBuffer[] _buffers; // [phase * ports + port]
    private readonly Message?[] _fireInputs;
    private readonly bool[] _isZero;      // the input is not owned by the firing (zeros or a held value)
    private readonly HeldPort?[] _held;   // sample-and-hold ports (jittery or lossy links, free running)
    private readonly Message[] _zeros;
    private readonly int _ports;
    private readonly bool _hasBackward;
    private readonly long[] _nextForward = new long[PhaseCount];
    private long _nextBackward;
    private long _nextLockstep;

    /// <summary>A gate whose ports follow the links of <paramref name="topology"/>: fixed delays, and sample-and-hold
    /// where a link jitters or loses messages (draws keyed by <paramref name="seed"/>). With
    /// <paramref name="freeRunning"/> every port holds the newest value it has received and the host decides when
    /// the node steps (<see cref="PrepareFree"/>).</summary>
    public NodeGate(INode node, Topology topology, ulong seed, bool freeRunning = false)
        : this(node, DelaysOf(node, topology))
    {
        FreeRunning = freeRunning;
        if (freeRunning && node.Schedule.Kind != ScheduleKind.Lockstep)
            throw new ArgumentException($"node '{node.Name}' is {node.Schedule.Kind}: only continuous-time (lockstep) nodes can run free");
        for (int p = 0; p < _ports; p++)
        {
            var (link, index) = topology.LinkInto(node.Id, p);
            if (freeRunning || link.HasModel) _held[p] = new HeldPort(link, index, seed);
        }
    }

    private static int[] DelaysOf(INode node, Topology topology)
    {
        var delays = new int[node.Inputs.Count];
        for (int p = 0; p < delays.Length; p++) delays[p] = topology.DelayInto(node.Id, p);
        return delays;
    }

    /// <summary>Whether the host steps this node on its own clock with the newest inputs (not bit-reproducible).</summary>
    public bool FreeRunning { get; }

    /// <summary>What a sample-and-hold port saw (all zero for a plain port).</summary>
    public PortStatistics StatisticsOf(int port) => _held[port]?.Statistics ?? default;

    public NodeGate(INode node, ReadOnlySpan<int> delays)
    {
        _node = node;
        _ports = node.Inputs.Count;
        if (delays.Length != _ports)
            throw new ArgumentException($"node '{node.Name}' has {_ports} inputs but {delays.Length} delays were given");
        _delays = delays.ToArray();
        _buffers = new StepBuffer[PhaseCount * _ports];
        for (int i = 0; i < _buffers.Length; i++) _buffers[i] = new StepBuffer();
        _fireInputs = new Message?[_ports];
        _isZero = new bool[_ports];
        _held = new HeldPort?[_ports];
        _zeros = new Message[_ports];
        for (int p = 0; p < _ports; p++)
        {
            var port = node.Inputs[p];
            if (port.Trigger == 1) _hasBackward = true;
            _zeros[p] = Message.Create("", -1, port.Kind, Phase.Train, -1, long.MaxValue, new Tensor(0, port.Width));
        }
    }

    /// <summary>The inputs of the firing <see cref="TryNext"/> just chose, one per port (null where unused).</summary>
    public ReadOnlySpan<Message?> Inputs => _fireInputs;

    /// <summary>Next minibatch whose credit (backward) this node will process; the pipelined drain point.</summary>
    public long NextBackward => _nextBackward;

    /// <summary>Next forward step of the given phase (pipelined) or next lockstep step.</summary>
    public long NextForward(Phase phase) => _node.Schedule.Kind == ScheduleKind.Lockstep ? _nextLockstep : _nextForward[(int)phase];

    /// <summary>Messages held and not yet consumed.</summary>
    public int Pending
    {
        get
        {
            int n = 0;
            foreach (var b in _buffers) n += b.Count;
            foreach (var h in _held) n += h?.Pending ?? 0;
            return n;
        }
    }

    /// <summary>Takes ownership of one reference to <paramref name="m"/>, arriving at input port <paramref name="port"/>.</summary>
    public void Accept(int port, Message m)
    {
        if ((uint)port >= (uint)_ports)
        {
            m.Release();
            throw new ArgumentOutOfRangeException(nameof(port), $"node '{_node.Name}' has no input port {port} (message {m})");
        }
        var expected = _node.Inputs[port];
        if (m.Kind != expected.Kind || m.Payload.Cols != expected.Width)
        {
            m.Release();
            throw new InvalidOperationException(
                $"node '{_node.Name}' port {port} expects {expected.Kind} of width {expected.Width}, got {m}");
        }
        if (_held[port] is { } held)
        {
            held.Accept(m);
            return;
        }
        int phase = _node.Schedule.Kind == ScheduleKind.Lockstep ? 0 : (int)m.Phase;
        _buffers[phase * _ports + port].Put(m);
    }

    /// <summary>Free running: fills <see cref="Inputs"/> with the newest value held on every port for the node's
    /// own step <paramref name="step"/>; the host then fires the node and calls <see cref="Complete"/>.</summary>
    public void PrepareFree(long step)
    {
        if (!FreeRunning) throw new InvalidOperationException($"node '{_node.Name}' is not free running");
        for (int p = 0; p < _ports; p++)
        {
            var held = _held[p]!;
            held.ResolveLatest(step);
            _fireInputs[p] = held.Current ?? _zeros[p];
            _isZero[p] = true;
        }
    }

    /// <summary>If a firing is ready, fills <see cref="Inputs"/> and returns its trigger, phase and step.</summary>
    public bool TryNext(out int trigger, out Phase phase, out long step)
    {
        if (FreeRunning)
        {
            trigger = 0; phase = Phase.Train; step = 0;
            return false;
        }
        switch (_node.Schedule.Kind)
        {
            case ScheduleKind.Lockstep:
                trigger = 0;
                return TryLockstep(out phase, out step);
            case ScheduleKind.Pipelined:
                return TryPipelined(out trigger, out phase, out step);
            default:
                trigger = 0; phase = Phase.Train; step = 0;
                return false;
        }
    }

    /// <summary>Releases the inputs of the firing just done and advances the schedule.</summary>
    public void Complete(int trigger, Phase phase, long step)
    {
        for (int p = 0; p < _ports; p++)
        {
            var m = _fireInputs[p];
            if (m is null) continue;
            if (!_isZero[p])
            {
                int buffer = _node.Schedule.Kind == ScheduleKind.Lockstep ? p : (int)phase * _ports + p;
                _buffers[buffer].Remove(m.Step);
                m.Release();
            }
            _fireInputs[p] = null;
            _isZero[p] = false;
        }
        if (_node.Schedule.Kind == ScheduleKind.Lockstep) _nextLockstep = step + 1;
        else if (trigger == 1) _nextBackward = step + 1;
        else _nextForward[(int)phase] = step + 1;
    }

    /// <summary>Moves a fresh gate to a run's position (restoring a checkpoint taken with every pipeline drained).</summary>
    public void Seek(long trainStep, long validationStep, long testStep)
    {
        if (Pending != 0) throw new InvalidOperationException($"node '{_node.Name}': cannot seek with {Pending} messages held");
        _nextForward[(int)Phase.Train] = trainStep;
        _nextForward[(int)Phase.Validation] = validationStep;
        _nextForward[(int)Phase.Test] = testStep;
        _nextBackward = trainStep;
        _nextLockstep = trainStep;
    }

    /// <summary>Releases everything held (run teardown).</summary>
    public void Clear()
    {
        foreach (var b in _buffers) b.Clear();
        foreach (var h in _held) h?.Clear();
        Array.Clear(_fireInputs);
    }

    private bool TryLockstep(out Phase phase, out long step)
    {
        step = _nextLockstep;
        phase = Phase.Train;
        bool phaseSet = false;
        for (int p = 0; p < _ports; p++)
        {
            if (_held[p] is { } held)
            {
                if (!held.TryResolve(step))
                {
                    ResetInputs();
                    return false;
                }
                _fireInputs[p] = held.Current ?? _zeros[p];
                _isZero[p] = true;
                continue;
            }
            long want = step - _delays[p];
            if (want < 0)
            {
                _fireInputs[p] = _zeros[p];
                _isZero[p] = true;
                continue;
            }
            var m = _buffers[p].Peek(want);
            if (m is null)
            {
                ResetInputs();
                return false;
            }
            _fireInputs[p] = m;
            if (!phaseSet) { phase = m.Phase; phaseSet = true; }
        }
        return true;
    }

    private bool TryPipelined(out int trigger, out Phase phase, out long step)
    {
        // Evaluation phases: forward only, in order.
        for (int ph = 1; ph < PhaseCount; ph++)
        {
            if (TryCollect(ph, 0, _nextForward[ph]))
            {
                trigger = 0; phase = (Phase)ph; step = _nextForward[ph];
                return true;
            }
        }

        int depth = _node.Schedule.Depth;
        long f = _nextForward[0];
        long b = _nextBackward;
        trigger = 0; phase = Phase.Train; step = 0;

        // Order F0 … FS, B0, F(S+1), B1 …: B(b) follows F(b+S) (or the segment's last forward), F(f) follows B(f−S−1).
        if (_hasBackward && b < f && TryCollect(0, 1, b))
        {
            long segmentEnd = SegmentEndOfInputs();
            if (f > b + depth || f > segmentEnd)
            {
                trigger = 1; step = b;
                return true;
            }
            ResetInputs();
        }

        if ((!_hasBackward || f - depth - 1 < b) && TryCollect(0, 0, f))
        {
            trigger = 0; step = f;
            return true;
        }
        return false;
    }

    private bool TryCollect(int phase, int trigger, long step)
    {
        bool any = false;
        for (int p = 0; p < _ports; p++)
        {
            if (_node.Inputs[p].Trigger != trigger) continue;
            var m = _buffers[phase * _ports + p].Peek(step);
            if (m is null)
            {
                ResetInputs();
                return false;
            }
            _fireInputs[p] = m;
            any = true;
        }
        return any;
    }

    private long SegmentEndOfInputs()
    {
        long end = long.MaxValue;
        foreach (var m in _fireInputs)
            if (m is not null && m.SegmentEnd < end) end = m.SegmentEnd;
        return end;
    }

    private void ResetInputs()
    {
        Array.Clear(_fireInputs);
        Array.Clear(_isZero);
    }
}
