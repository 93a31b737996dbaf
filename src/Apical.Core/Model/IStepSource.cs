namespace Apical.Core.Model;

/// <summary>A source node of a continuous-time (lockstep) run: emits its messages for one step, stamped with that
/// step. Deterministic in the step, so any engine (in one process or on a cluster) streams the same inputs.</summary>
public interface IStepSource
{
    void EmitStep(long step, IOutbox outbox);
}
