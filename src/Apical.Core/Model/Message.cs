using Apical.Core.Numerics;

namespace Apical.Core.Model;

/// <summary>
/// A tensor message between nodes: (run, sender, kind, phase, step) and a B × n payload.
/// Immutable once sent: the sender fills <see cref="Payload"/> before <see cref="IOutbox.Send"/>, nobody writes it
/// afterwards. Messages are pooled and reference-counted so the hot path allocates nothing: every holder that
/// keeps a message beyond the call that handed it over takes a reference with <see cref="Retain"/> and gives it
/// back with <see cref="Release"/>.
/// </summary>
public sealed class Message
{
    private int _refs;
    private readonly MessagePool? _pool;

    internal Message(Tensor payload, MessagePool? pool)
    {
        Payload = payload;
        _pool = pool;
    }

    /// <summary>Creates a stand-alone (unpooled) message, e.g. one deserialized from the wire.</summary>
    public static Message Create(string runId, int sender, MessageKind kind, Phase phase, long step, long segmentEnd, Tensor payload)
    {
        var m = new Message(payload, null);
        m.Stamp(runId, sender, kind, phase, step, segmentEnd);
        m._refs = 1;
        return m;
    }

    public string RunId { get; private set; } = "";
    public int Sender { get; private set; }
    public MessageKind Kind { get; private set; }
    public Phase Phase { get; private set; }

    /// <summary>Logical time: the sender's step (continuous rules) or minibatch index (discrete rules).</summary>
    public long Step { get; private set; }

    /// <summary>Last step of the training segment (epoch) this message belongs to; pipelined schedules drain
    /// their in-flight minibatches when they reach it. <see cref="long.MaxValue"/> when unbounded.</summary>
    public long SegmentEnd { get; private set; }

    public Tensor Payload { get; }

    internal int References => Volatile.Read(ref _refs);

    internal void Stamp(string runId, int sender, MessageKind kind, Phase phase, long step, long segmentEnd)
    {
        RunId = runId;
        Sender = sender;
        Kind = kind;
        Phase = phase;
        Step = step;
        SegmentEnd = segmentEnd;
    }

    internal void SetReferences(int refs) => Volatile.Write(ref _refs, refs);

    /// <summary>Adds references for additional receivers of one send (fan-out).</summary>
    public void AddReferences(int count) => Interlocked.Add(ref _refs, count);

    public void Retain()
    {
        if (Interlocked.Increment(ref _refs) <= 1)
            throw new InvalidOperationException($"{this} was retained after it was released");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _refs);
        if (left == 0) _pool?.Return(this);
        else if (left < 0) throw new InvalidOperationException($"{this} was released more often than retained");
    }

    public override string ToString() => $"{Kind}(run {RunId}, from {Sender}, {Phase} step {Step}, {Payload.Rows}x{Payload.Cols})";
}
