using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The graph of a DFC run: a feedforward chain of <see cref="DfcLayer"/>s plus a <see cref="PiController"/> star
/// (spec 13). Node ids: 0 the run's coordinator (<see cref="DfcSource"/>: it hands data and batch boundaries to the
/// nodes as commands, so it has no links), layers 1..L, controller L + 1. The lockstep topology has delay 1 on every
/// link (<c>Rates</c> up, <c>Output</c> to the controller, <c>Control</c> to every layer): the Jacobi schedule; or
/// <c>engine.delay</c> d on every link, the Jacobi schedule with transmission delays. Jitter and loss
/// (<see cref="Links"/>) are resolved by the receiving nodes (<see cref="LinkModelInput"/>), so the topology's links carry
/// the delay only.
/// </summary>
public sealed class DfcNetwork
{
    public DfcNetwork(IReadOnlyList<DfcLayer> layers, PiController controller, int linkDelay = 1, LinkModel? linkModel = null)
    {
        if (linkDelay < 1) throw new ArgumentOutOfRangeException(nameof(linkDelay), $"link delay {linkDelay} must be >= 1 step");
        Layers = layers;
        Controller = controller;
        int L = layers.Count;
        for (int l = 0; l < L; l++)
            if (layers[l].Id != l + 1) throw new ArgumentException($"layer '{layers[l].Name}' has node id {layers[l].Id}, expected {l + 1}");
        if (controller.Id != L + 1) throw new ArgumentException($"the controller has node id {controller.Id}, expected {L + 1}");
        var nodes = new List<INode> { new DfcSource() };
        nodes.AddRange(layers);
        nodes.Add(controller);
        var links = new List<Link>();
        for (int l = 1; l <= L; l++)
        {
            if (l > 1) links.Add(new Link(l - 1, MessageKind.Rates, l, 0, linkDelay));
            links.Add(new Link(L + 1, MessageKind.Control, l, l == 1 ? 0 : 1, linkDelay));
        }
        links.Add(new Link(L, MessageKind.Output, L + 1, 0, linkDelay));
        LinkDelay = linkDelay;
        Links = linkModel ?? LinkModel.None;
        Topology = new Topology(nodes, links);
    }

    public IReadOnlyList<DfcLayer> Layers { get; }
    public PiController Controller { get; }
    public Topology Topology { get; }
    public DfcLayer Output => Layers[^1];
    /// <summary>The delay of every link, in steps.</summary>
    public int LinkDelay { get; }
    /// <summary>Jitter and loss on every link (resolved by the receivers).</summary>
    public LinkModel Links { get; }

    /// <summary>Builds layers from sizes n_0..n_L (tanh hidden, linear output unless given).</summary>
    public static DfcNetwork Build(int[] sizes, int batchCapacity, ulong seed,
        Optimization.OptimizerSpec forward, Optimization.OptimizerSpec feedback, Optimization.OptimizerSpec pretrain,
        Activation[]? activations = null, bool freezeFeedback = false, bool freezeFeedbackOutput = false,
        Backprop.WeightInitKind init = Backprop.WeightInitKind.XavierNormal, IReadOnlyList<Optimization.OptimizerSpec?>? perLayerForward = null,
        int? jacobiPairingDelay = null, bool forwardWorkers = true, int? trainingBatch = null, int? learningCapacity = null, int linkDelay = 1,
        LinkModel? links = null, FeedbackInitKind feedbackInit = FeedbackInitKind.XavierNormal, double feedbackInitSigma = 0)
    {
        links ??= LinkModel.None;
        int L = sizes.Length - 1;
        if (L < 1) throw new ArgumentException("a DFC network needs at least one layer");
        var layers = new List<DfcLayer>();
        for (int l = 1; l <= L; l++)
        {
            layers.Add(new DfcLayer(new DfcLayerOptions
            {
                Id = l,
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
                MaxPairingDelay = Math.Max(linkDelay * (L - l + 2) - 1, jacobiPairingDelay ?? 1),
                ForwardWorker = forwardWorkers,
                TrainingBatchSize = trainingBatch,
                LearningBatchCapacity = learningCapacity,
                Links = links,
                LinkDelay = linkDelay,
            }));
        }
        if (feedbackInit == FeedbackInitKind.WeightProduct) FeedbackWeightInit.ApplyWeightProduct(layers, seed, feedbackInitSigma);
        var controller = new PiController(L + 1, sizes[L], batchCapacity, links: links, linkDelay: linkDelay, seed: seed, learningCapacity: learningCapacity);
        return new DfcNetwork(layers, controller, linkDelay, links);
    }

    /// <summary>What a row partner's layers hold instead of optimiser state: nothing (stateless SGD that never steps).</summary>
    private static readonly Optimization.OptimizerSpec NoOptimizerState = new() { Type = Optimization.OptimizerKind.Sgd, LearningRate = 0 };

    /// <summary>
    /// A network of the same shape whose layers use this one's W, b and Q (<see cref="DfcLayerOptions.SharedParameters"/>)
    /// and have their own state, sized for <paramref name="rows"/> rows, with every forward-rule GEMM on the calling
    /// thread: it simulates the other rows of a split mini-batch (<see cref="RowSplitSweep"/>). No jitter or loss.
    /// </summary>
    public DfcNetwork RowPartner(int rows)
    {
        var layers = new List<DfcLayer>(Layers.Count);
        foreach (var l in Layers)
            layers.Add(new DfcLayer(l.Options with
            {
                SharedParameters = l,
                BatchCapacity = rows,
                LearningBatchCapacity = rows,
                TrainingBatchSize = rows,
                ForwardWorker = false,
                Links = LinkModel.None,
                ForwardOptimizer = NoOptimizerState, // the owner steps the shared tensors: no moments here
                FeedbackOptimizer = NoOptimizerState,
                PretrainOptimizer = NoOptimizerState,
            }));
        var controller = new PiController(Controller.Id, Controller.Inputs[0].Width, rows, Controller.Name, linkDelay: LinkDelay);
        return new DfcNetwork(layers, controller, LinkDelay);
    }

    /// <summary>Batch capacity of a run's nodes: training, evaluation and probe mini-batches. (The forward rule is sized
    /// by the learning batches only and chunks by the training batch size, so large evaluation batches cost it nothing.)</summary>
    public static int Capacity(RunConfig config) =>
        Math.Max(Math.Max(config.BatchSize, config.Evaluation.BatchSize), config.Dfc?.ProbeBatchSize ?? 1);

    /// <summary>The network of a <c>dfc</c> or <c>strong-dfc</c> run: sizes, activations, optimisers and seed from the
    /// config, input width <paramref name="inputWidth"/> unless the config gives one.</summary>
    public static DfcNetwork FromConfig(RunConfig config, int inputWidth, bool forwardWorkers = true)
    {
        var spec = config.Dfc ?? throw new ArgumentException($"the {config.Rule.ConfigName()} rule needs a \"dfc\" section");
        var layers = config.Network.Layers;
        var sizes = new int[layers.Count + 1];
        var acts = new Activation[layers.Count];
        var perLayer = new Optimization.OptimizerSpec?[layers.Count];
        sizes[0] = config.Network.Input ?? inputWidth;
        for (int i = 0; i < layers.Count; i++) { sizes[i + 1] = layers[i].Out; acts[i] = layers[i].Activation; perLayer[i] = layers[i].Optimizer; }
        return Build(sizes, Capacity(config), config.Seed, config.Optimizer, spec.FeedbackOptimizer, spec.PretrainOptimizer,
            acts, spec.FreezeFbWeights, spec.FreezeFbWeightsOutput, config.Network.Init, perLayer, spec.JacobiPairingDelay, forwardWorkers,
            trainingBatch: config.BatchSize, learningCapacity: Math.Max(config.BatchSize, spec.ProbeBatchSize), linkDelay: config.Engine.Delay,
            links: new LinkModel(config.Engine.Jitter, config.Engine.Loss), feedbackInit: spec.FeedbackInit, feedbackInitSigma: spec.FeedbackInitSigma);
    }
}
