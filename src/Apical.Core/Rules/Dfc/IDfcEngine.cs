using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// What a <see cref="DfcSession"/> needs from the engine that hosts the network's nodes: one mini-batch simulation
/// with its learning step, the feedforward (evaluation) pass, the batch's diagnostics, and a copy of the
/// parameters for the oracle probes. <see cref="InProcessDfcEngine"/> runs the nodes in this process (sweep or
/// Jacobi); the actor runtime runs them as entities (Jacobi only).
/// </summary>
public interface IDfcEngine : IDisposable
{
    /// <summary>Feedforward pass (u = 0, no noise, no plasticity); returns r_L^-, valid until the next call.</summary>
    Tensor Feedforward(Tensor x);

    /// <summary>One mini-batch: settle, T − 1 steps, gradients and the optimiser step; <see cref="OutputMinus"/> then
    /// holds r_L^- and the returned statistics (reused by the next call) what the nodes reported.</summary>
    DfcBatchStats Run(PhaseConstants phase, Tensor x, Tensor labels, long batchSerial);

    /// <summary>r_L^- of the last <see cref="Run"/>.</summary>
    Tensor OutputMinus { get; }

    /// <summary>Copies the current W, b and Q of every layer into <paramref name="network"/> (a no-op when it is the
    /// engine's own network).</summary>
    void CopyParametersTo(DfcNetwork network);

    /// <summary>Every layer's checkpoint (<see cref="DfcLayer.Save"/>), serialised where the layer runs, between
    /// mini-batches.</summary>
    IReadOnlyList<(INode Node, byte[] State)> CaptureState(DfcNetwork network);

    /// <summary>Restores every layer from the state <paramref name="stateOf"/> gives for it (the source names it in
    /// errors), between mini-batches.</summary>
    void RestoreState(DfcNetwork network, Func<INode, (byte[] State, string Source)> stateOf);
}
