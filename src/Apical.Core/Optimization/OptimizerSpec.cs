using System.Text.Json.Serialization;

namespace Apical.Core.Optimization;

public enum OptimizerKind
{
    Sgd,
    Adam,
}

/// <summary>Per-layer optimiser settings, as written in a run config.</summary>
public sealed class OptimizerSpec
{
    [JsonPropertyName("type")] public OptimizerKind Type { get; init; } = OptimizerKind.Adam;
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = 1e-3;
    [JsonPropertyName("beta1")] public double Beta1 { get; init; } = 0.9;
    [JsonPropertyName("beta2")] public double Beta2 { get; init; } = 0.999;
    [JsonPropertyName("epsilon")] public double Epsilon { get; init; } = 1e-8;
    [JsonPropertyName("momentum")] public double Momentum { get; init; }
    /// <summary>L2 penalty added to the gradient (coupled weight decay).</summary>
    [JsonPropertyName("weightDecay")] public double WeightDecay { get; init; }
    /// <summary>Gradient-norm clipping per tensor: a gradient whose L2 norm exceeds this is rescaled to it; 0 = off.</summary>
    [JsonPropertyName("clipNorm")] public double ClipNorm { get; init; }

    public IEnumerable<(string Field, string Reason)> Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) yield return ("lr", $"must be a positive finite number, got {LearningRate}");
        if (Beta1 < 0 || Beta1 >= 1) yield return ("beta1", $"must lie in [0, 1), got {Beta1}");
        if (Beta2 < 0 || Beta2 >= 1) yield return ("beta2", $"must lie in [0, 1), got {Beta2}");
        if (!(Epsilon > 0)) yield return ("epsilon", $"must be positive, got {Epsilon}");
        if (Momentum < 0 || Momentum >= 1) yield return ("momentum", $"must lie in [0, 1), got {Momentum}");
        if (WeightDecay < 0) yield return ("weightDecay", $"must be >= 0, got {WeightDecay}");
        if (ClipNorm < 0) yield return ("clipNorm", $"must be >= 0 (0 turns clipping off), got {ClipNorm}");
    }

    /// <summary>An optimiser bound to one parameter tensor, with its own state.</summary>
    public ParameterOptimizer For(Numerics.Tensor parameter) => Type switch
    {
        OptimizerKind.Adam => new AdamOptimizer(this, parameter),
        _ => new SgdOptimizer(this, parameter),
    };
}
