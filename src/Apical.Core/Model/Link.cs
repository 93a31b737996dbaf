using Apical.Core.Numerics;

namespace Apical.Core.Model;

/// <summary>
/// A directed link: messages of <see cref="Kind"/> emitted by node <see cref="From"/> arrive at input port
/// <see cref="Port"/> of node <see cref="To"/>. <see cref="Delay"/> (≥ 1) is in steps: in lockstep a message
/// stamped s is consumed at the receiver's step s + Delay. Pipelined schedules order by minibatch and ignore it.
/// <para>
/// The link model adds, per message, a uniform extra delay of 0 … <see cref="Jitter"/> steps and a loss with
/// probability <see cref="Loss"/>. Both are drawn from the counter-based generator keyed by (run seed, link,
/// stamp), so sender and receiver, on any node, agree on every draw and a run with jitter and loss is still
/// reproducible to the bit. The receiver then holds the newest value that has arrived (sample-and-hold).
/// </para>
/// </summary>
public sealed record Link(int From, MessageKind Kind, int To, int Port, int Delay = 1, int Jitter = 0, double Loss = 0)
{
    /// <summary>Whether this link needs sample-and-hold (it can reorder or lose messages).</summary>
    public bool HasModel => Jitter > 0 || Loss > 0;

    /// <summary>The receiver step at which the message stamped <paramref name="stamp"/> is available.</summary>
    public long Arrival(ulong seed, int linkIndex, long stamp)
    {
        if (Jitter == 0) return stamp + Delay;
        var rng = CounterRng.For(seed, StreamOf(linkIndex), stamp, RngPurpose.Jitter);
        return stamp + Delay + ExtraDelay(ref rng, Jitter);
    }

    /// <summary>Whether the message stamped <paramref name="stamp"/> is lost on this link.</summary>
    public bool Dropped(ulong seed, int linkIndex, long stamp)
    {
        if (Loss <= 0) return false;
        var rng = CounterRng.For(seed, StreamOf(linkIndex), stamp, RngPurpose.Loss);
        return IsLost(ref rng, Loss);
    }

    /// <summary>The link model's extra delay of one message, uniform in 0 … <paramref name="jitter"/> steps, from its
    /// own generator (one draw); shared by every implementation of the model.</summary>
    public static long ExtraDelay(ref CounterRng rng, int jitter) => (long)(rng.NextFloat() * (jitter + 1));

    /// <summary>Whether one message is lost, with probability <paramref name="loss"/>, from its own generator (one draw).</summary>
    public static bool IsLost(ref CounterRng rng, double loss) => rng.NextFloat() < loss;

    // Links draw from streams of their own, apart from the nodes' streams.
    private static int StreamOf(int linkIndex) => 0x4000_0000 | linkIndex;
}
