using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Backprop;

namespace Apical.Core.Rules.Dfc;

/// <summary>Construction settings of a <see cref="DfcLayer"/>.</summary>
public sealed record DfcLayerOptions
{
    /// <summary>Node id in the run's graph.</summary>
    public required int Id { get; init; }
    public required string Name { get; init; }
    /// <summary>1-based position l in the chain.</summary>
    public required int Index { get; init; }
    /// <summary>Number of layers L.</summary>
    public required int LayerCount { get; init; }
    public required int InSize { get; init; }
    public required int OutSize { get; init; }
    /// <summary>n_L, the width of the control signal.</summary>
    public required int ControlSize { get; init; }
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Rows of the largest mini-batch the layer holds (evaluation batches included).</summary>
    public required int BatchCapacity { get; init; }
    /// <summary>Rows of the largest mini-batch that learns (training or probe; null = <see cref="BatchCapacity"/>): sizes
    /// the forward rule's buffers.</summary>
    public int? LearningBatchCapacity { get; init; }
    /// <summary>Usual rows of a training mini-batch (null = the learning capacity): sets the forward rule's chunking.</summary>
    public int? TrainingBatchSize { get; init; }
    public ulong Seed { get; init; } = 1;
    public WeightInitKind Init { get; init; } = WeightInitKind.XavierNormal;
    public required OptimizerSpec ForwardOptimizer { get; init; }
    public required OptimizerSpec FeedbackOptimizer { get; init; }
    public required OptimizerSpec PretrainOptimizer { get; init; }
    /// <summary>Never update Q.</summary>
    public bool FreezeFeedback { get; init; }
    /// <summary>Largest Q-rule pairing delay this layer must support (L − l + 1 covers every schedule).</summary>
    public int MaxPairingDelay { get; init; } = 1;

    /// <summary>Jitter and loss on the layer's input links (resolved by the layer: <see cref="LinkModelInput"/>).</summary>
    public LinkModel Links { get; init; } = LinkModel.None;
    /// <summary>Delay D of every link of the network, in steps (lockstep).</summary>
    public int LinkDelay { get; init; } = 1;

    /// <summary>The forward rule may run its chunk GEMMs on a second thread (see <see cref="ForwardRule.UseWorkerThreads"/>).</summary>
    public bool ForwardWorker { get; init; } = true;

    /// <summary>A layer whose W, b and Q this one uses instead of its own (same position and shape): it simulates other rows
    /// of the same mini-batches and hands its sums over (<see cref="RowSplitSweep"/>); it never steps an optimiser.</summary>
    public DfcLayer? SharedParameters { get; init; }

    /// <summary>Key of this layer's random streams (initialisation, noise): its 0-based position in the chain,
    /// independent of its node id, so a layer draws the same numbers in every graph layout.</summary>
    public int RngKey => Index - 1;

    public bool IsFirst => Index == 1;
    public bool IsOutput => Index == LayerCount;
}
