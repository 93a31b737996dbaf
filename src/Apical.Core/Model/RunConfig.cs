using System.Text.Json.Serialization;
using Apical.Core.Data;
using Apical.Core.Losses;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Backprop;

namespace Apical.Core.Model;

/// <summary>The learning rule of a run.</summary>
public enum RuleKind
{
    /// <summary>Backpropagation: each layer sends δᵢWᵢ down (weight transport made explicit).</summary>
    Bp,
    /// <summary>Feedback alignment: δᵢ is sent down and mapped through a fixed random matrix by the receiver.</summary>
    Fa,
    /// <summary>Direct feedback alignment: the output error is broadcast to every layer.</summary>
    Dfa,
    /// <summary>Deep Feedback Control (two-phase: sleep-phase feedback learning, wake-phase forward learning).</summary>
    Dfc,
    /// <summary>Strong-DFC: single phase, strong label target, forward and feedback weights learned together.</summary>
    StrongDfc,
    /// <summary>Generalized Latent Equilibrium: real-time local credit assignment in time.</summary>
    Gle,
}

/// <summary>The spelling of a rule in configs and messages.</summary>
public static class RuleKinds
{
    /// <summary>The config name of <paramref name="rule"/>: <c>bp</c>, <c>fa</c>, <c>dfa</c>, <c>dfc</c>, <c>strong-dfc</c>, <c>gle</c>.</summary>
    public static string ConfigName(this RuleKind rule) => rule switch
    {
        RuleKind.StrongDfc => "strong-dfc",
        _ => rule.ToString().ToLowerInvariant(),
    };
}

public enum EngineKind
{
    /// <summary>The in-process engine: every node in one loop.</summary>
    Inproc,
    /// <summary>The Akka.NET actor runtime.</summary>
    Actors,
}

/// <summary>A whole experiment, as read from a JSON config file (see <see cref="RunConfigLoader"/>).</summary>
public sealed class RunConfig
{
    public string Name { get; init; } = "run";
    public ulong Seed { get; init; } = 1;
    public int Epochs { get; init; } = 1;
    public RuleKind Rule { get; init; } = RuleKind.Bp;
    public required DataSpec Data { get; init; }
    public required NetworkSpec Network { get; init; }
    public LossKind Loss { get; init; } = LossKind.SoftmaxCrossEntropy;
    public int BatchSize { get; init; } = 128;
    public OptimizerSpec Optimizer { get; init; } = new();
    public EngineSpec Engine { get; init; } = new();
    public EvaluationSpec Evaluation { get; init; } = new();
    public CheckpointSpec Checkpoint { get; init; } = new();

    /// <summary>DFC / Strong-DFC settings (required when <see cref="Rule"/> is dfc or strong-dfc).</summary>
    public Rules.Dfc.DfcSpec? Dfc { get; init; }

    /// <summary>GLE settings (required when <see cref="Rule"/> is gle).</summary>
    public Rules.Gle.GleSpec? Gle { get; init; }
}

/// <summary>The layers: sizes, nonlinearities, initialisation and optional per-layer optimisers.</summary>
public sealed class NetworkSpec
{
    /// <summary>Input width; defaults to the data set's.</summary>
    public int? Input { get; init; }
    public required List<LayerSpec> Layers { get; init; }
    public WeightInitKind Init { get; init; } = WeightInitKind.XavierNormal;
}

public sealed class LayerSpec
{
    /// <summary>Input width; optional, must equal the previous layer's <see cref="Out"/> when given.</summary>
    public int? In { get; init; }
    public required int Out { get; init; }
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Overrides the run's optimiser for this layer.</summary>
    public OptimizerSpec? Optimizer { get; init; }
}

public sealed class EngineSpec
{
    public EngineKind Type { get; init; } = EngineKind.Inproc;

    /// <summary>Pipelined discrete rules: minibatches a layer may forward ahead of its credit (0 = strict).</summary>
    public int PipelineDepth { get; init; }

    /// <summary>Default link delay in steps (lockstep rules).</summary>
    public int Delay { get; init; } = 1;

    /// <summary>Default link jitter: a uniform extra delay of 0 … Jitter steps per message (lockstep rules).</summary>
    public int Jitter { get; init; }

    /// <summary>Default probability that a link loses a message (lockstep rules); the receiver holds its last value.</summary>
    public double Loss { get; init; }
}

public sealed class CheckpointSpec
{
    /// <summary>Write a checkpoint every this many epochs (0 = never).</summary>
    public int EveryEpochs { get; init; } = 1;

    /// <summary>How many of the newest checkpoints to keep (0 = all).</summary>
    public int Keep { get; init; } = 2;
}

public sealed class EvaluationSpec
{
    /// <summary>Minibatch size of evaluation passes (forward only).</summary>
    public int BatchSize { get; init; } = 1000;
    public bool Validation { get; init; } = true;
    public bool Test { get; init; } = true;
    /// <summary>Evaluate before the first epoch too (an epoch-0 row of metrics.csv).</summary>
    public bool AtStart { get; init; } = true;
}
