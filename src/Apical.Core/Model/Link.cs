namespace Apical.Core.Model;

/// <summary>
/// A directed link: messages of <see cref="Kind"/> emitted by node <see cref="From"/> arrive at input port
/// <see cref="Port"/> of node <see cref="To"/>. <see cref="Delay"/> (≥ 1) is in steps: in lockstep a message
/// stamped s is consumed at the receiver's step s + Delay. Pipelined schedules order by minibatch and ignore it.
/// </summary>
public sealed record Link(int From, MessageKind Kind, int To, int Port, int Delay = 1);
