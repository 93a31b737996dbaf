using Apical.Core.Model;
using Apical.Core.Optimization;

namespace Apical.Core.Rules.Gle;

/// <summary>Where a GLE layer's instantaneous error e^inst comes from.</summary>
public enum GleErrorSource
{
    /// <summary>Hidden layer: e^inst = r′ ⊙ (W_{l+1}ᵀ e_{l+1}) from a Feedback message.</summary>
    Feedback,
    /// <summary>Output layer: e^inst from the Target message and the stored r_L (section 5).</summary>
    Target,
    /// <summary>No error input (a fixed teacher): e^inst = 0.</summary>
    None,
}

/// <summary>The output error of a top layer.</summary>
public enum GleLoss
{
    /// <summary>e^inst = r′ ⊙ β (y − r).</summary>
    Mse,
    /// <summary>e^inst = r′ ⊙ β (onehot(y) − softmax(r)).</summary>
    CrossEntropy,
}

/// <summary>Everything a <see cref="GleLayer"/> is built from.</summary>
public sealed class GleLayerOptions
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public required int InSize { get; init; }
    public required int OutSize { get; init; }
    /// <summary>Rows of the state at step 0 (before any message fixes the batch size).</summary>
    public required int BatchSize { get; init; }
    /// <summary>Largest batch the layer will see (evaluation batches included).</summary>
    public required int BatchCapacity { get; init; }
    /// <summary>Kind of port 0: Input (first layer) or Rates.</summary>
    public MessageKind InputKind { get; init; } = MessageKind.Rates;
    /// <summary>What the layer emits its rate as: Rates, Output (top) or Target (a teacher's top layer).</summary>
    public MessageKind OutputKind { get; init; } = MessageKind.Rates;
    public GleErrorSource ErrorSource { get; init; } = GleErrorSource.Feedback;
    /// <summary>Emit W ᵀe down (false for the first layer and for teachers).</summary>
    public bool SendFeedback { get; init; }
    public GleLoss Loss { get; init; } = GleLoss.Mse;
    public GlePhi Phi { get; init; } = GlePhi.Tanh;
    public required float[] TauM { get; init; }
    public required float[] TauR { get; init; }
    public required float Dt { get; init; }
    public float Beta { get; init; } = 1f;
    public float Gamma { get; init; }
    public bool ProspectiveErrors { get; init; } = true;
    public bool Bias { get; init; } = true;
    public bool Learn { get; init; } = true;
    public bool LearnTauM { get; init; }
    /// <summary>Clamp of a learned τ_m (default 10 dt).</summary>
    public float? TauMMin { get; init; }
    /// <summary>Steps before this one run the dynamics without learning.</summary>
    public long LearnFromStep { get; init; }
    public OptimizerSpec Optimizer { get; init; } = new();
    public ulong Seed { get; init; } = 1;
    public float[]? InitialWeights { get; init; }
    public float[]? InitialBiases { get; init; }
    /// <summary>Stop with a <see cref="Nodes.DivergenceException"/> when a rate becomes NaN or infinite.</summary>
    public bool CheckFinite { get; init; } = true;
}
