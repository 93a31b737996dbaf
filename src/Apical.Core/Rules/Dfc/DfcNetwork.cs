using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The graph of a DFC run: a feedforward chain of <see cref="DfcLayer"/>s plus a <see cref="PiController"/> star
/// (spec 13). Node ids: layers 0..L−1, controller L. The lockstep topology has delay 1 on every link
/// (<c>Rates</c> up, <c>Output</c> to the controller, <c>Control</c> to every layer): the Jacobi schedule.
/// </summary>
public sealed class DfcNetwork
{
    public DfcNetwork(IReadOnlyList<DfcLayer> layers, PiController controller)
    {
        Layers = layers;
        Controller = controller;
        int L = layers.Count;
        var nodes = new List<INode>(layers) { controller };
        var links = new List<Link>();
        for (int l = 0; l < L; l++)
        {
            if (l > 0) links.Add(new Link(l - 1, MessageKind.Rates, l, 0, 1));
            links.Add(new Link(L, MessageKind.Control, l, l == 0 ? 0 : 1, 1));
        }
        links.Add(new Link(L - 1, MessageKind.Output, L, 0, 1));
        Topology = new Topology(nodes, links);
    }

    public IReadOnlyList<DfcLayer> Layers { get; }
    public PiController Controller { get; }
    public Topology Topology { get; }
    public DfcLayer Output => Layers[^1];

    /// <summary>Builds layers from sizes n_0..n_L (tanh hidden, linear output unless given).</summary>
    public static DfcNetwork Build(int[] sizes, int batchCapacity, ulong seed,
        Optimization.OptimizerSpec forward, Optimization.OptimizerSpec feedback, Optimization.OptimizerSpec pretrain,
        Activation[]? activations = null, bool freezeFeedback = false, bool freezeFeedbackOutput = false,
        Backprop.WeightInitKind init = Backprop.WeightInitKind.XavierNormal, IReadOnlyList<Optimization.OptimizerSpec?>? perLayerForward = null,
        int? jacobiPairingDelay = null)
    {
        int L = sizes.Length - 1;
        if (L < 1) throw new ArgumentException("a DFC network needs at least one layer");
        var layers = new List<DfcLayer>();
        for (int l = 1; l <= L; l++)
        {
            layers.Add(new DfcLayer(new DfcLayerOptions
            {
                Id = l - 1,
                Name = $"layer{l}",
                Index = l,
                LayerCount = L,
                InSize = sizes[l - 1],
                OutSize = sizes[l],
                ControlSize = sizes[L],
                Activation = activations?[l - 1] ?? (l == L ? Activation.Linear : Activation.Tanh),
                BatchCapacity = batchCapacity,
                Seed = seed,
                Init = init,
                ForwardOptimizer = perLayerForward?[l - 1] ?? forward,
                FeedbackOptimizer = feedback,
                PretrainOptimizer = pretrain,
                FreezeFeedback = freezeFeedback || (freezeFeedbackOutput && l == L),
                MaxPairingDelay = Math.Max(L - l + 1, jacobiPairingDelay ?? 1),
            }));
        }
        return new DfcNetwork(layers, new PiController(L, sizes[L], batchCapacity));
    }
}
