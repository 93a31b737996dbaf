using Apical.Core.Model;

namespace Apical.Actors.Protocol;

/// <summary>
/// Consecutive steps of one link in one message: a link of delay d that crosses nodes carries up to d steps per
/// message (the receiver needs step s only at its step s + d), which amortises the per-message cost of the
/// transport without changing lockstep results. Each message owns one reference; the receiver takes them over.
/// Carried by the binary tensor serializer.
/// </summary>
public sealed record MessageWindow(Message[] Messages)
{
    public override string ToString() => Messages.Length == 0
        ? "MessageWindow(empty)"
        : $"MessageWindow({Messages.Length} x {Messages[0]} … step {Messages[^1].Step})";
}
