using Akka.Actor;

namespace Apical.Actors.Protocol;

/// <summary>Driver → entity: a lockstep run streams its source from now on. The entity fires what it can, reports
/// its progress (next step) to <paramref name="Driver"/> every <paramref name="ReportEvery"/> steps (the credit the
/// driver paces the source by) and, with <paramref name="Windows"/>, sends up to d steps per message over a
/// link of delay d to a remote node.</summary>
public sealed record LockstepStart(string RunId, IActorRef Driver, int ReportEvery, bool Windows) : IControlMessage;

/// <summary>Entity → driver: every step before <paramref name="Next"/> has fired.</summary>
public sealed record StepProgress(string RunId, int NodeId, long Next) : IControlMessage;

/// <summary>Driver → entity: the source has sent its last step; send what windows hold and every later step at once.</summary>
public sealed record FlushWindows(string RunId) : IControlMessage;

/// <summary>Driver → entity of a free-running run: step on your own clock, <paramref name="Steps"/> steps in ticks of
/// <paramref name="Batch"/> steps (× <paramref name="Rate"/>, the node's rate relative to the source's), with the
/// newest value on each input; then answer <see cref="FreeRunDone"/>.</summary>
public sealed record FreeRun(string RunId, IActorRef Driver, long Steps, double Rate, int Batch) : IControlMessage;

/// <summary>Entity → driver: the free-running node has done its steps.</summary>
public sealed record FreeRunDone(string RunId, int NodeId, long Steps) : IControlMessage;

/// <summary>Asks an entity what its sample-and-hold input ports saw.</summary>
public sealed record GetLinkStatistics(string RunId) : IControlMessage;

/// <summary>Per sample-and-hold input port of a node: losses, late messages, firings and summed staleness; and the
/// windows the node's outbox sent (messages carrying several steps of a remote link) with the steps they carried.</summary>
public sealed record LinkStatisticsReport(string RunId, int NodeId, int[] Ports, long[] Dropped, long[] Late, long[] Firings,
    double[] StalenessSum, long WindowsSent, long WindowedMessages) : IControlMessage;
