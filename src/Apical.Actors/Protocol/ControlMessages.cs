using Akka.Actor;
using Apical.Core.Model;

namespace Apical.Actors.Protocol;

/// <summary>Marker of the control-plane messages of a run (coordinator ↔ layer actors); carried by the
/// Hyperion-based <see cref="Serialization.ControlMessageSerializer"/>.</summary>
public interface IControlMessage
{
    string RunId { get; }
}

/// <summary>What every entity of a run needs to build its own node: the resolved config (as JSON, the
/// project's canonical form) and the data dimensions. The entities of a run in one process build the graph once and
/// each keeps its own node of it (<see cref="Hosting.SharedRunGraphs"/>), so weights are initialised from the seed
/// wherever the entity lives. <paramref name="Graph"/> names the
/// registered graph builder (see <see cref="GraphBuilders"/>; null: the rule's own); with
/// <paramref name="FreeRunning"/> every continuous-time node steps on its own clock.</summary>
public sealed record RunBlueprint(string ConfigJson, int InputWidth, int OutputWidth, bool Classification,
    string? Graph = null, bool FreeRunning = false)
{
    public GraphShape Shape => new(InputWidth, OutputWidth, Classification);
}

/// <summary>Coordinator → entity: host node <paramref name="NodeId"/> of the run described by the blueprint.</summary>
public sealed record StartLayer(string RunId, int NodeId, RunBlueprint Blueprint, IActorRef Coordinator) : IControlMessage;

/// <summary>Entity → coordinator: the node is built; <paramref name="Layer"/> is the entity's own reference.</summary>
public sealed record LayerStarted(string RunId, int NodeId, IActorRef Layer) : IControlMessage;

/// <summary>Coordinator → entity: the references of every node of the run (index = node id), to send to
/// directly and to watch. <paramref name="Region"/> is the fallback route (a shard region), or null.</summary>
public sealed record ConnectLayer(string RunId, IActorRef[] Nodes, IActorRef? Region, string Placement) : IControlMessage;

/// <summary>Entity → coordinator: wired and ready for tensors.</summary>
public sealed record LayerConnected(string RunId, int NodeId) : IControlMessage;

/// <summary>Asks an entity to answer with <see cref="StepReached"/> once it has done every firing of
/// <paramref name="Phase"/> up to <paramref name="Step"/> (forward, and backward for training).</summary>
public sealed record AwaitStep(string RunId, Phase Phase, long Step) : IControlMessage;

/// <summary>The answer to <see cref="AwaitStep"/>: messages still held, and the running loss when the node is the loss.</summary>
public sealed record StepReached(string RunId, int NodeId, Phase Phase, long Step, int Pending, double Loss, double Accuracy) : IControlMessage;

/// <summary>Asks the loss entity for the mean loss and accuracy of a phase since the last take (then resets it).</summary>
public sealed record TakeLoss(string RunId, Phase Phase) : IControlMessage;

public sealed record LossTaken(string RunId, Phase Phase, double Loss, double Accuracy, long Samples) : IControlMessage;

/// <summary>Asks an entity for a copy of its parameters.</summary>
public sealed record GetParameters(string RunId) : IControlMessage;

/// <summary>A copy of a node's parameters: one (name, rows, cols, values) per tensor.</summary>
public sealed record ParameterSet(string RunId, int NodeId, string[] Names, int[] Rows, int[] Cols, float[][] Values) : IControlMessage;

/// <summary>Coordinator → entity: serialise the node's checkpoint state (parameters, optimiser state).</summary>
public sealed record GetCheckpoint(string RunId) : IControlMessage;

/// <summary>Entity → coordinator: the node's checkpoint state (empty when the node has none).</summary>
public sealed record CheckpointData(string RunId, int NodeId, byte[] State) : IControlMessage;

/// <summary>Coordinator → entity: restore this state (named <paramref name="Source"/> in errors) and move to the
/// run's position before any batch arrives.</summary>
public sealed record RestoreCheckpoint(string RunId, byte[] State, string Source, long TrainStep, long ValidationStep, long TestStep) : IControlMessage;

/// <summary>Entity → coordinator: the restore is done (<paramref name="Error"/> null) or was refused and why.</summary>
public sealed record CheckpointRestored(string RunId, int NodeId, string? Error) : IControlMessage;

/// <summary>Entity → coordinator: the node failed (a divergence, a malformed message); the run stops.</summary>
public sealed record LayerFailed(string RunId, int NodeId, string Reason) : IControlMessage;

/// <summary>Coordinator → entity: the run is over; release everything and stop.</summary>
public sealed record StopLayer(string RunId) : IControlMessage;

/// <summary>Routes a control message to entity <c>&lt;run&gt;/&lt;node&gt;</c> through a shard region.
/// <paramref name="NodeCount"/> and <paramref name="Placement"/> let the allocation strategy place the shard.</summary>
public sealed record LayerEnvelope(string RunId, int NodeId, int NodeCount, string Placement, IControlMessage Message);

/// <summary>Routes a tensor message to entity <c>&lt;run&gt;/&lt;node&gt;</c> through a shard region (the fallback
/// when a neighbour's direct reference died). Carried by the binary tensor serializer.</summary>
public sealed record TensorEnvelope(int NodeId, int NodeCount, string Placement, Message Message);

/// <summary>Coordinator → entity: deliver <paramref name="Command"/> to the hosted node (an
/// <see cref="Core.Model.ICommandTarget"/>) between its firings; the entity answers <see cref="NodeCommandDone"/>.</summary>
public sealed record CommandNode(string RunId, Core.Model.NodeCommand Command) : IControlMessage;

/// <summary>Entity → coordinator: the node's reply to a <see cref="CommandNode"/>, or why it refused it.</summary>
public sealed record NodeCommandDone(string RunId, int NodeId, Core.Model.NodeReply? Reply, string? Error) : IControlMessage;
