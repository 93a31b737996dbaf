namespace Apical.Core.Model;

/// <summary>One input of a node: the kind of message, its width, and which trigger it belongs to
/// (0 = forward/step, 1 = backward/credit).</summary>
public readonly record struct InputPort(MessageKind Kind, int Width, int Trigger = 0);

/// <summary>One output of a node: the kind of message it emits and its width.</summary>
public readonly record struct OutputPort(MessageKind Kind, int Width);

public enum ScheduleKind
{
    /// <summary>Continuous-time rules: fire step t once every input stamped t − delay is held.</summary>
    Lockstep,
    /// <summary>Discrete rules: forward k and backward k interleaved with a fixed pipeline depth.</summary>
    Pipelined,
    /// <summary>Nodes without inputs (data sources), driven by the engine or coordinator.</summary>
    Source,
}

/// <summary>
/// When a node may fire. For <see cref="ScheduleKind.Pipelined"/>, <see cref="Depth"/> = S is the number of
/// minibatches a layer may forward beyond the last one whose credit it has processed: the layer's firing
/// order is fixed as F0 … FS, B0, F(S+1), B1, … within a training segment, so results do not depend on
/// message timing. S = 0 is the strict (synchronous) schedule; the weight staleness equals S.
/// </summary>
public readonly record struct Schedule(ScheduleKind Kind, int Depth = 0)
{
    public static Schedule Lockstep => new(ScheduleKind.Lockstep);
    public static Schedule Source => new(ScheduleKind.Source);
    public static Schedule Pipelined(int depth) => new(ScheduleKind.Pipelined, depth);
}
