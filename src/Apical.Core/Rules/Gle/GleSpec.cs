using System.Text.Json.Serialization;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>The <c>gle</c> section of a run config: time constants, discretisation, streams and readout.</summary>
public sealed class GleSpec
{
    /// <summary>Euler step (time units per step).</summary>
    [JsonPropertyName("dt")] public double Dt { get; init; } = 0.2;

    /// <summary>Output nudging strength β.</summary>
    [JsonPropertyName("beta")] public double Beta { get; init; } = 1;

    /// <summary>Strength γ of the prospective error in the membrane dynamics.</summary>
    [JsonPropertyName("gamma")] public double Gamma { get; init; }

    /// <summary>false: the instantaneous-error ablation (e = e^inst, no temporal inversion).</summary>
    [JsonPropertyName("prospectiveErrors")] public bool ProspectiveErrors { get; init; } = true;

    /// <summary>Values per step of a streamed sample; a data row of width W is fed over W / inputChannels steps.</summary>
    [JsonPropertyName("inputChannels")] public int InputChannels { get; init; } = 1;

    /// <summary>One entry per network layer: φ override, τ_m, τ_r, learned τ_m, bias, initial weights.</summary>
    [JsonPropertyName("layers")] public List<GleLayerSpec> Layers { get; init; } = [];

    /// <summary>Stream tasks (lagline, lagnet): the fixed teacher network whose output is the target.</summary>
    [JsonPropertyName("teacher")] public List<GleLayerSpec>? Teacher { get; init; }

    /// <summary>Stream tasks: total steps to run (split evenly into the run's epochs, one metrics row each).</summary>
    [JsonPropertyName("steps")] public long Steps { get; init; }

    /// <summary>Stream tasks: first step at which weights learn (earlier steps run the dynamics only).</summary>
    [JsonPropertyName("learnFromStep")] public long LearnFromStep { get; init; }

    /// <summary>Link delay in steps on Rates, Feedback and Output links (1 = the reference schedule); the same links
    /// take <c>engine.jitter</c> and <c>engine.loss</c>.</summary>
    [JsonPropertyName("delay")] public int Delay { get; init; } = 1;

    /// <summary>Evaluate the test set as one batch whose rows tile the training state (true, the reference), or in
    /// training-sized batches that continue the training state (false).</summary>
    [JsonPropertyName("tileEvaluation")] public bool TileEvaluation { get; init; } = true;

    /// <summary>Reduce-on-plateau of the test loss (classification); null = constant learning rate.</summary>
    [JsonPropertyName("plateau")] public GlePlateauSpec? Plateau { get; init; }

    /// <summary>Checks the section against the network; every problem names its field.</summary>
    public IEnumerable<(string Field, string Reason)> Validate(RunConfig config)
    {
        if (!(Dt > 0) || double.IsInfinity(Dt)) yield return ("gle.dt", $"must be > 0, got {Dt}");
        if (!(Beta >= 0) || double.IsInfinity(Beta)) yield return ("gle.beta", $"must be >= 0, got {Beta}");
        if (!(Gamma >= 0) || double.IsInfinity(Gamma)) yield return ("gle.gamma", $"must be >= 0, got {Gamma}");
        if (InputChannels < 1) yield return ("gle.inputChannels", $"must be >= 1, got {InputChannels}");
        if (Steps < 0) yield return ("gle.steps", $"must be >= 0, got {Steps}");
        if (LearnFromStep < 0) yield return ("gle.learnFromStep", $"must be >= 0, got {LearnFromStep}");
        if (Delay < 1) yield return ("gle.delay", $"must be >= 1 step, got {Delay}");
        // GLE's links take their delay from gle.delay and their jitter and loss from engine.jitter / engine.loss.
        if (config.Engine.Delay != 1)
            yield return ("engine.delay", $"GLE links take their delay from gle.delay; leave engine.delay at 1 (got {config.Engine.Delay}, gle.delay {Delay})");
        if (config.Engine.PipelineDepth != 0)
            yield return ("engine.pipelineDepth", $"pipelining applies to the discrete rules (bp, fa, dfa); GLE runs in lockstep (got {config.Engine.PipelineDepth})");
        if (Plateau is not null)
            foreach (var p in Plateau.Validate()) yield return p;

        bool stream = config.Data.Name is Data.DatasetNames.LagLine or Data.DatasetNames.LagNet;
        if (stream && Teacher is null) yield return ("gle.teacher", $"the stream task '{config.Data.Name}' needs a teacher network");
        if (!stream && Teacher is not null) yield return ("gle.teacher", $"only used by the stream tasks (lagline, lagnet), not by '{config.Data.Name}'");
        if (stream && Steps < 1) yield return ("gle.steps", $"the stream task '{config.Data.Name}' needs steps >= 1, got {Steps}");

        var layers = config.Network.Layers;
        for (int i = 0; i < Math.Min(Layers.Count, layers.Count); i++)
            if (Layers[i].Phi is null && layers[i].Activation is Numerics.Activation.Relu)
                yield return ($"gle.layers[{i}].phi", $"network.layers[{i}].activation {layers[i].Activation} has no GLE counterpart; set phi (identity, tanh, softplus, logistic)");
        if (Layers.Count != layers.Count)
            yield return ("gle.layers", $"needs one entry per network layer ({layers.Count}), got {Layers.Count}");
        int previous = config.Network.Input ?? InputChannels;
        for (int i = 0; i < Math.Min(Layers.Count, layers.Count); i++)
        {
            foreach (var p in Layers[i].Validate($"gle.layers[{i}]", previous, layers[i].Out, Dt)) yield return p;
            previous = layers[i].Out;
        }
        if (Teacher is not null)
        {
            if (Teacher.Count != layers.Count)
                yield return ("gle.teacher", $"needs one entry per network layer ({layers.Count}), got {Teacher.Count}");
            previous = config.Network.Input ?? InputChannels;
            for (int i = 0; i < Math.Min(Teacher.Count, layers.Count); i++)
            {
                foreach (var p in Teacher[i].Validate($"gle.teacher[{i}]", previous, layers[i].Out, Dt)) yield return p;
                previous = layers[i].Out;
            }
        }
    }

    /// <summary>The widths a network sees when a data set is streamed: <see cref="InputChannels"/> values per step.</summary>
    public DataShape StreamShape(DataShape data) => data with { InputWidth = InputChannels };
}

/// <summary>Reduce the learning rate when the test loss stops improving (checked after every epoch).</summary>
public sealed class GlePlateauSpec
{
    [JsonPropertyName("patience")] public int Patience { get; init; } = 2;
    [JsonPropertyName("factor")] public double Factor { get; init; } = 0.5;
    [JsonPropertyName("threshold")] public double Threshold { get; init; } = 1e-4;

    public IEnumerable<(string Field, string Reason)> Validate()
    {
        if (Patience < 0) yield return ("gle.plateau.patience", $"must be >= 0, got {Patience}");
        if (!(Factor > 0 && Factor < 1)) yield return ("gle.plateau.factor", $"must lie in (0, 1), got {Factor}");
        if (!(Threshold >= 0 && Threshold < 1)) yield return ("gle.plateau.threshold", $"must lie in [0, 1), got {Threshold}");
    }
}
