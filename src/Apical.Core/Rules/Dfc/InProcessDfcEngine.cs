using Apical.Core.Checkpoints;
using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>The nodes in this process, driven by a <see cref="DfcSimulator"/>: the sweep by direct calls, Jacobi on
/// the lockstep <see cref="Engine.InProcessEngine"/> or by direct calls. Batches under the sweep are split into two
/// row halves simulated on two cores (<see cref="RowSplitSweep"/>; on one processor in turn, with the same bits).</summary>
public sealed class InProcessDfcEngine : IDfcEngine
{
    private readonly DfcBatchStats _stats;
    private readonly RowSplitSweep? _split;
    private Tensor _outputMinus;

    /// <param name="splitRows">split eligible sweep batches by rows (<see cref="RowSplitSweep"/>); off, every batch runs
    /// whole, as the probe and the Jacobi schedule do.</param>
    public InProcessDfcEngine(DfcNetwork network, int batchCapacity, bool splitRows = true)
    {
        Simulator = new DfcSimulator(network, batchCapacity);
        var widths = new int[network.Layers.Count];
        for (int l = 0; l < widths.Length; l++) widths[l] = network.Layers[l].Options.OutSize;
        _stats = new DfcBatchStats(batchCapacity, widths);
        int learning = Math.Min(batchCapacity, network.Layers[0].Options.LearningBatchCapacity ?? batchCapacity);
        if (splitRows && learning >= 2) _split = new RowSplitSweep(Simulator, learning, parallel: Environment.ProcessorCount > 1);
        _outputMinus = Simulator.OutputMinus;
    }

    public DfcSimulator Simulator { get; }

    public Tensor OutputMinus => _outputMinus;

    public Tensor Feedforward(Tensor x) => Simulator.Feedforward(x);

    public DfcBatchStats Run(PhaseConstants phase, Tensor x, Tensor labels, long batchSerial)
    {
        if (_split is not null && _split.Applies(phase, x.Rows))
        {
            _split.Run(phase, x, labels, batchSerial, _stats);
            _outputMinus = _split.OutputMinus;
            return _stats;
        }
        _outputMinus = Simulator.OutputMinus;
        Simulator.Run(phase, x, labels, batchSerial);
        _stats.ReadController(Simulator.Network.Controller);
        _stats.ReadLayers(Simulator.Network.Layers);
        return _stats;
    }

    public void CopyParametersTo(DfcNetwork network)
    {
        var own = Simulator.Network;
        if (ReferenceEquals(network, own)) return;
        for (int l = 0; l < own.Layers.Count; l++)
        {
            var (from, to) = (own.Layers[l], network.Layers[l]);
            from.Weights.ReadOnlySpan.CopyTo(to.Weights.Span);
            from.Bias.ReadOnlySpan.CopyTo(to.Bias.Span);
            from.FeedbackWeights.ReadOnlySpan.CopyTo(to.FeedbackWeights.Span);
            to.Repack();
        }
    }

    public IReadOnlyList<(INode Node, byte[] State)> CaptureState(DfcNetwork network)
    {
        var states = new List<(INode, byte[])>();
        foreach (var layer in Simulator.Network.Layers) states.Add((layer, CheckpointWriter.ToBytes(layer, layer.Id, layer.Name)));
        return states;
    }

    public void RestoreState(DfcNetwork network, Func<INode, (byte[] State, string Source)> stateOf)
    {
        foreach (var layer in Simulator.Network.Layers)
        {
            var (state, source) = stateOf(layer);
            CheckpointReader.FromBytes(layer, state, source, layer.Id, layer.Name);
        }
        CopyParametersTo(network);
    }

    public void Dispose() => Simulator.Dispose();
}
