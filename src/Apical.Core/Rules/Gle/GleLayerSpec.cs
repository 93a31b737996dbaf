using System.Text.Json.Serialization;

namespace Apical.Core.Rules.Gle;

/// <summary>Per-layer GLE settings. Time constants are given as segments of neurons in order.</summary>
public sealed class GleLayerSpec
{
    /// <summary>Overrides the network layer's activation (softplus exists only here).</summary>
    [JsonPropertyName("phi")] public GlePhi? Phi { get; init; }

    /// <summary>Membrane time constants τ_m, one segment per group of neurons.</summary>
    [JsonPropertyName("tauM")] public List<TauSegment> TauM { get; init; } = [];

    /// <summary>Prospective time constants τ_r; null = τ_m (LE units).</summary>
    [JsonPropertyName("tauR")] public List<TauSegment>? TauR { get; init; }

    /// <summary>Learn τ_m with the layer's optimiser (clamped to ≥ <see cref="TauMMin"/> after every step).</summary>
    [JsonPropertyName("learnTauM")] public bool LearnTauM { get; init; }

    /// <summary>Lower clamp of a learned τ_m; null = 10 dt.</summary>
    [JsonPropertyName("tauMMin")] public double? TauMMin { get; init; }

    [JsonPropertyName("bias")] public bool Bias { get; init; } = true;

    /// <summary>false freezes W and b (e.g. the fixed layers of the LagNet student).</summary>
    [JsonPropertyName("learn")] public bool Learn { get; init; } = true;

    /// <summary>Initial weights, row-major out × in; null = U(±1/√in).</summary>
    [JsonPropertyName("weights")] public float[]? Weights { get; init; }

    /// <summary>Initial bias; null = U(±1/√in) when <see cref="Bias"/>.</summary>
    [JsonPropertyName("biases")] public float[]? Biases { get; init; }

    /// <summary>Expands segments to one value per neuron; throws naming the field if they do not fit.</summary>
    public static float[] Expand(List<TauSegment> segments, int count, string field)
    {
        var values = new float[count];
        int at = 0;
        for (int s = 0; s < segments.Count; s++)
        {
            int n = segments[s].Count ?? count - at;
            if (n < 0 || at + n > count)
                throw new ArgumentException($"{field}[{s}].count: segments exceed the layer's {count} neurons");
            for (int i = 0; i < n; i++) values[at + i] = (float)segments[s].Value;
            at += n;
        }
        if (at != count) throw new ArgumentException($"{field}: segments cover {at} of the layer's {count} neurons");
        return values;
    }

    internal IEnumerable<(string Field, string Reason)> Validate(string f, int input, int output, double dt)
    {
        foreach (var p in CheckTaus(TauM, $"{f}.tauM", output, dt)) yield return p;
        if (TauR is not null)
            foreach (var p in CheckTaus(TauR, $"{f}.tauR", output, dt)) yield return p;
        if (TauMMin is { } min && !(min >= dt))
            yield return ($"{f}.tauMMin", $"must be >= dt = {dt}, got {min}");
        if (Weights is not null && Weights.Length != input * output)
            yield return ($"{f}.weights", $"needs {output} x {input} = {input * output} values, got {Weights.Length}");
        if (Biases is not null && (!Bias || Biases.Length != output))
            yield return ($"{f}.biases", Bias ? $"needs {output} values, got {Biases.Length}" : "given but bias is false");
    }

    private static IEnumerable<(string Field, string Reason)> CheckTaus(List<TauSegment> segments, string field, int count, double dt)
    {
        if (segments.Count == 0)
        {
            yield return (field, "needs at least one segment");
            yield break;
        }
        int at = 0;
        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            int n = seg.Count ?? count - at;
            if (seg.Count is { } c && c < 1) yield return ($"{field}[{s}].count", $"must be >= 1, got {c}");
            if (!(seg.Value >= dt) || double.IsInfinity(seg.Value))
                yield return ($"{field}[{s}].value", $"neurons {at}..{at + Math.Max(n, 1) - 1}: τ = {seg.Value} is below dt = {dt} (every τ must be >= dt)");
            at += Math.Max(n, 0);
        }
        if (at != count) yield return (field, $"segments cover {at} neurons, the layer has {count}");
    }
}

/// <summary>A group of <see cref="Count"/> consecutive neurons sharing one time constant (null count = the rest).</summary>
public sealed class TauSegment
{
    [JsonPropertyName("count")] public int? Count { get; init; }
    [JsonPropertyName("value")] public double Value { get; init; }
}
