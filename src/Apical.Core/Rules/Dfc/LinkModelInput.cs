using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>The link model of a DFC run (<c>engine.jitter</c>, <c>engine.loss</c>): per message a uniform extra
/// delay of 0 … <see cref="Jitter"/> steps and a loss with probability <see cref="Loss"/>, on every link.</summary>
public sealed record LinkModel(int Jitter = 0, double Loss = 0)
{
    public static readonly LinkModel None = new();

    public bool Enabled => Jitter > 0 || Loss > 0;
}

/// <summary>
/// One lockstep input of a DFC node under a <see cref="LinkModel"/>, resolved by the receiving node itself: the gate
/// delivers the value stamped t − D at step t (D the link delay) and this input holds the newest value that would have
/// arrived by t — the newest stamp s ≤ t − D that is not lost and whose arrival s + D + jitter(s) is ≤ t — and keeps
/// it while nothing newer arrives (sample-and-hold). The draws are keyed by (run seed, link, mini-batch serial,
/// stamp within the simulation), so both engines and a resumed run see the same ones; the distributions are
/// <see cref="Link"/>'s.
/// <para>
/// A DFC mini-batch is a simulation of its own that starts from the settled state, which the layers send as the
/// D stamps before the first firing. The model resolves here rather than in the gate because the gate does not know
/// where a simulation begins: those state-0 values are never lost or late, and nothing of an earlier simulation is
/// ever used.
/// </para>
/// </summary>
public sealed class LinkModelInput
{
    private readonly LinkModel _model;
    private readonly ulong _seed;
    private readonly int _stream;
    private readonly int _delay;
    private readonly Tensor[] _ring; // the last J + 1 stamps delivered (slot = stamp mod (J + 1))
    private readonly long[] _ringStamp;
    private readonly Tensor _held;
    private long _boundary;   // stamp of the first state-0 value of this simulation (first firing − D)
    private long _serial;
    private long _heldStamp;
    private LinkCounts _counts;

    /// <param name="link">a number unique to this link within the run: 2 × receiver id + port for a layer, 2 × id for
    /// the controller (whose id L + 1 exceeds every layer's).</param>
    public LinkModelInput(LinkModel model, int delay, ulong seed, int link, int rows, int width)
    {
        if (!model.Enabled) throw new ArgumentException("a link model input needs jitter or loss");
        if (delay < 1) throw new ArgumentOutOfRangeException(nameof(delay), $"link delay {delay} must be >= 1 step");
        _model = model;
        _delay = delay;
        _seed = seed;
        _stream = 0x2000_0000 | link;
        _ring = new Tensor[model.Jitter + 1];
        for (int i = 0; i < _ring.Length; i++) _ring[i] = new Tensor(rows, width);
        _ringStamp = new long[_ring.Length];
        _held = new Tensor(rows, width);
    }

    /// <summary>Messages due in this simulation (beyond the state-0 values), lost ones, firings, summed and
    /// largest staleness (steps beyond the nominal delay of the value used).</summary>
    public LinkCounts Counts => _counts;

    /// <summary>Starts a simulation whose first firing is at global step <paramref name="firstStep"/>.</summary>
    public void Begin(long batchSerial, long firstStep)
    {
        if (batchSerial < 0 || batchSerial > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(batchSerial), $"mini-batch serial {batchSerial} is outside [0, 2^32)");
        _serial = batchSerial;
        _boundary = firstStep - _delay;
        _heldStamp = _boundary - 1;
        Array.Fill(_ringStamp, long.MinValue);
        _counts = default;
    }

    /// <summary>The value this input holds at step <paramref name="t"/>; <paramref name="delivered"/> is the message
    /// stamped t − D (copied: the caller releases it).</summary>
    public Tensor Resolve(long t, Tensor delivered)
    {
        long s0 = t - _delay;
        if (s0 < _boundary) throw new InvalidOperationException($"step {t} lies before this simulation's first firing {_boundary + _delay}");
        int slot = Slot(s0);
        var r = _ring[slot];
        r.SetRows(delivered.Rows);
        delivered.ReadOnlySpan.CopyTo(r.Span);
        _ringStamp[slot] = s0;

        long lo = Math.Max(_heldStamp + 1, Math.Max(_boundary, s0 - _model.Jitter));
        for (long s = s0; s >= lo; s--)
        {
            if (!Reliable(s) && (Lost(s) || Arrival(s) > t)) continue;
            var m = _ring[Slot(s)];
            if (_ringStamp[Slot(s)] != s) throw new InvalidOperationException($"stamp {s} is no longer held (ring of {_ring.Length})");
            _held.SetRows(m.Rows);
            m.ReadOnlySpan.CopyTo(_held.Span);
            _heldStamp = s;
            break;
        }
        if (!Reliable(s0))
        {
            _counts.Due++;
            if (Lost(s0)) _counts.Lost++;
        }
        long stale = s0 - _heldStamp;
        _counts.Firings++;
        _counts.StalenessSum += stale;
        if (stale > _counts.MaxStaleness) _counts.MaxStaleness = stale;
        return _held;
    }

    /// <summary>The receiver step at which the message stamped <paramref name="stamp"/> arrives (state 0 without jitter).</summary>
    public long Arrival(long stamp)
    {
        if (_model.Jitter == 0 || Reliable(stamp)) return stamp + _delay;
        var rng = Draw(stamp, RngPurpose.Jitter);
        return stamp + _delay + Link.ExtraDelay(ref rng, _model.Jitter);
    }

    /// <summary>Whether the message stamped <paramref name="stamp"/> is lost (never a state-0 value).</summary>
    public bool Lost(long stamp)
    {
        if (_model.Loss <= 0 || Reliable(stamp)) return false;
        var rng = Draw(stamp, RngPurpose.Loss);
        return Link.IsLost(ref rng, _model.Loss);
    }

    private bool Reliable(long stamp) => stamp < _boundary + _delay;

    // Stream (link, purpose); block (mini-batch serial, stamp within the simulation): one block per message.
    private CounterRng Draw(long stamp, RngPurpose purpose) =>
        new(_seed, ((ulong)(uint)_stream << 32) | (uint)purpose, ((ulong)_serial << 32) + (ulong)(stamp - _boundary));

    private int Slot(long stamp) => (int)(((stamp % _ring.Length) + _ring.Length) % _ring.Length);
}

/// <summary>What the link-model inputs of a node saw in one simulation (see <see cref="LinkModelInput.Counts"/>).</summary>
public struct LinkCounts
{
    public long Due, Lost, Firings, MaxStaleness;
    public double StalenessSum;

    public void Add(in LinkCounts o)
    {
        Due += o.Due; Lost += o.Lost; Firings += o.Firings; StalenessSum += o.StalenessSum;
        if (o.MaxStaleness > MaxStaleness) MaxStaleness = o.MaxStaleness;
    }

    /// <summary>As the <see cref="EncodedLength"/> numbers of a command reply: due, lost, firings, staleness sum, largest staleness.</summary>
    public readonly void Write(Span<double> to) => (to[0], to[1], to[2], to[3], to[4]) = (Due, Lost, Firings, StalenessSum, MaxStaleness);

    public static LinkCounts Read(ReadOnlySpan<double> n) =>
        new() { Due = (long)n[0], Lost = (long)n[1], Firings = (long)n[2], StalenessSum = n[3], MaxStaleness = (long)n[4] };

    public const int EncodedLength = 5;
}
