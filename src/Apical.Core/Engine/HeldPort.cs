using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>
/// Sample-and-hold input of a lockstep node whose link jitters or loses messages, or of any node running
/// free: the port holds the newest value that has arrived and replaces it when a newer one arrives. In lockstep
/// the choice at step t is deterministic — the newest stamp s ≤ t − delay that is not lost and whose (seeded)
/// arrival is ≤ t — and the port waits for that message if it is still in flight. Counts losses, late messages
/// and the staleness of what was used.
/// </summary>
internal sealed class HeldPort
{
    private readonly StepBuffer _buffer = new();
    private readonly Link _link;
    private readonly int _linkIndex;
    private readonly ulong _seed;
    private long _newestAccepted = -1;
    private long _lastRecorded = long.MinValue;

    public HeldPort(Link link, int linkIndex, ulong seed)
    {
        _link = link;
        _linkIndex = linkIndex;
        _seed = seed;
    }

    /// <summary>The value held now (null until the first one arrives: the node reads zeros).</summary>
    public Message? Current { get; private set; }

    public long CurrentStamp { get; private set; } = -1;

    public PortStatistics Statistics;

    public int Pending => _buffer.Count;

    public void Accept(Message m)
    {
        if (_link.Dropped(_seed, _linkIndex, m.Step))
        {
            Statistics.Dropped++;
            m.Release();
            return;
        }
        if (m.Step <= CurrentStamp)
        {
            Statistics.Late++;
            m.Release();
            return;
        }
        _buffer.Put(m);
        if (m.Step > _newestAccepted) _newestAccepted = m.Step;
    }

    /// <summary>Lockstep: resolves the value for step <paramref name="t"/>; false while the message it needs is in flight.</summary>
    public bool TryResolve(long t)
    {
        for (long s = t - _link.Delay; s > CurrentStamp && s >= 0; s--)
        {
            if (_link.Dropped(_seed, _linkIndex, s) || _link.Arrival(_seed, _linkIndex, s) > t) continue;
            var m = _buffer.Peek(s);
            if (m is null) return false;
            Replace(m);
            break;
        }
        Record(t);
        return true;
    }

    /// <summary>Free-running: takes the newest message that has arrived, whatever its stamp.</summary>
    public void ResolveLatest(long t)
    {
        if (_newestAccepted > CurrentStamp && _buffer.Peek(_newestAccepted) is { } m) Replace(m);
        Record(t);
    }

    public void Clear()
    {
        _buffer.Clear();
        Current?.Release();
        Current = null;
    }

    private void Replace(Message m)
    {
        for (long s = CurrentStamp + 1; s < m.Step; s++)
        {
            if (_buffer.Peek(s) is not { } older) continue;
            _buffer.Remove(s);
            older.Release();
            Statistics.Late++;
        }
        _buffer.Remove(m.Step);
        Current?.Release();
        Current = m;
        CurrentStamp = m.Step;
    }

    private void Record(long t)
    {
        if (t == _lastRecorded) return; // a step resolved again after another port made it wait
        _lastRecorded = t;
        Statistics.Firings++;
        if (Current is not null) Statistics.StalenessSum += t - _link.Delay - CurrentStamp;
    }
}

/// <summary>What a sample-and-hold port saw: messages lost, messages that arrived too late to be used, and the
/// staleness (steps beyond the link's nominal delay) of the values used.</summary>
public struct PortStatistics
{
    public long Dropped;
    public long Late;
    public long Firings;
    public double StalenessSum;

    public readonly double MeanStaleness => Firings == 0 ? double.NaN : StalenessSum / Firings;
}
