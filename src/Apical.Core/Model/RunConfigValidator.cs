using Apical.Core.Data;
using Apical.Core.Losses;

namespace Apical.Core.Model;

/// <summary>Semantic checks of a parsed config: every problem is reported with its field path.</summary>
public static class RunConfigValidator
{
    public static List<ConfigProblem> Validate(RunConfig c)
    {
        var problems = new List<ConfigProblem>();
        void Add(string field, string reason) => problems.Add(new ConfigProblem(field, reason));

        if (string.IsNullOrWhiteSpace(c.Name)) Add("name", "must not be empty");
        else if (c.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || c.Name.Contains('/'))
            Add("name", $"'{c.Name}' cannot be part of a directory name");
        if (c.Epochs < 0) Add("epochs", $"must be >= 0, got {c.Epochs}");
        if (c.BatchSize < 1) Add("batchSize", $"must be >= 1, got {c.BatchSize}");

        foreach (var reason in c.Data.Validate()) Add(FieldOfDataProblem(reason), ReasonOfDataProblem(reason));
        var shape = DataShape.Of(c.Data);
        if (shape is null) Add("data.name", $"unknown data set '{c.Data.Name}'");
        if (c.Rule is RuleKind.Gle && c.Gle is not null && shape is { } streamed) shape = c.Gle.StreamShape(streamed);

        foreach (var (field, reason) in c.Optimizer.Validate()) Add($"optimizer.{field}", reason);

        var net = c.Network;
        if (net.Layers.Count == 0) Add("network.layers", "needs at least one layer");
        int input = net.Input ?? shape?.InputWidth ?? 0;
        if (net.Input is { } declared)
        {
            if (declared < 1) Add("network.input", $"must be >= 1, got {declared}");
            else if (shape is not null && declared != shape.Value.InputWidth)
                Add("network.input", $"{declared} does not fit the data set '{c.Data.Name}', whose inputs have {shape.Value.InputWidth} values");
        }
        int previous = input;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            var l = net.Layers[i];
            string f = $"network.layers[{i}]";
            if (l.Out < 1) Add($"{f}.out", $"must be >= 1, got {l.Out}");
            if (l.In is { } given && given != previous)
                Add($"{f}.in", i == 0
                    ? $"{given} does not fit the network input of {previous}"
                    : $"{given} does not fit the previous layer, whose out is {previous}");
            if (l.Optimizer is not null)
                foreach (var (field, reason) in l.Optimizer.Validate()) Add($"{f}.optimizer.{field}", reason);
            previous = l.Out;
        }
        if (net.Layers.Count > 0 && shape is not null && previous != shape.Value.OutputWidth)
            Add($"network.layers[{net.Layers.Count - 1}].out",
                $"{previous} does not fit the data set '{c.Data.Name}', whose targets have {shape.Value.OutputWidth} values");
        if (shape is { Classification: false } && c.Loss == LossKind.SoftmaxCrossEntropy)
            Add("loss", $"softmax-cross-entropy needs a classification data set; '{c.Data.Name}' is a regression task (use \"mse\")");

        if (c.Rule is RuleKind.Dfc or RuleKind.StrongDfc && c.Dfc is null) Add("dfc", $"the {c.Rule.ConfigName()} rule needs a \"dfc\" section");
        if (c.Rule is RuleKind.Dfc or RuleKind.StrongDfc && c.Dfc is not null)
            foreach (var (field, reason) in Rules.Dfc.DfcSpecValidator.Validate(c.Dfc, c.Rule)) Add(field, reason);
        if (c.Rule is RuleKind.Gle && c.Gle is null) Add("gle", "the gle rule needs a \"gle\" section");
        if (c.Rule is RuleKind.Gle && c.Gle is not null)
            foreach (var (field, reason) in c.Gle.Validate(c)) Add(field, reason);
        if (c.Engine.PipelineDepth < 0) Add("engine.pipelineDepth", $"must be >= 0 (0 = strict), got {c.Engine.PipelineDepth}");
        if (c.Engine.Delay < 1) Add("engine.delay", $"must be >= 1 step, got {c.Engine.Delay}");
        if (c.Engine.Jitter < 0) Add("engine.jitter", $"must be >= 0 steps, got {c.Engine.Jitter}");
        if (!(c.Engine.Loss >= 0 && c.Engine.Loss < 1)) Add("engine.loss", $"must lie in [0, 1), got {c.Engine.Loss}");
        bool discrete = c.Rule is RuleKind.Bp or RuleKind.Fa or RuleKind.Dfa;
        bool dfc = c.Rule is RuleKind.Dfc or RuleKind.StrongDfc;
        if (discrete && c.Engine.Jitter > 0) Add("engine.jitter", $"link jitter applies to gle, dfc and strong-dfc runs, not {c.Rule.ConfigName()}");
        if (discrete && c.Engine.Loss > 0) Add("engine.loss", $"link loss applies to gle, dfc and strong-dfc runs, not {c.Rule.ConfigName()}");
        if (dfc && c.Dfc is { } d && (c.Engine.Delay > 1 || c.Engine.Jitter > 0 || c.Engine.Loss > 0)) DfcLinks(c, d, Add);
        if (c.Checkpoint.EveryEpochs < 0) Add("checkpoint.everyEpochs", $"must be >= 0 (0 = never), got {c.Checkpoint.EveryEpochs}");
        if (c.Checkpoint.Keep < 0) Add("checkpoint.keep", $"must be >= 0 (0 = keep all), got {c.Checkpoint.Keep}");
        if (c.Evaluation.BatchSize < 1) Add("evaluation.batchSize", $"must be >= 1, got {c.Evaluation.BatchSize}");
        return problems;
    }

    /// <summary>Transmission delays, jitter and loss on a DFC run's links (the Jacobi schedule with <c>engine.delay</c> D
    /// on every link): the sweep hands values over with no delay, and the feedback rule needs control values that
    /// answered the noise within the simulation (the noise of layer 1 comes back after D (L + 1) − 1 steps).</summary>
    private static void DfcLinks(RunConfig c, Rules.Dfc.DfcSpec s, Action<string, string> add)
    {
        int delay = c.Engine.Delay, layers = c.Network.Layers.Count;
        string field0 = c.Engine.Delay > 1 ? "engine.delay" : c.Engine.Jitter > 0 ? "engine.jitter" : "engine.loss";
        string what = c.Engine.Delay > 1 ? $"a delay of {delay} steps" : c.Engine.Jitter > 0 ? $"a jitter of {c.Engine.Jitter} steps" : $"a loss of {c.Engine.Loss}";
        foreach (var (sim, field) in new[] { (s.Forward, "dfc.forward"), (s.Feedback, "dfc.feedback") })
        {
            if (sim.Schedule != Rules.Dfc.TransmissionSchedule.Jacobi)
                add(field0, $"{what} needs the Jacobi schedule; {field}.schedule is \"sweep\", which hands values over with no delay");
        }
        if (s.JacobiPairingDelay is not null) return; // the user pairs as they choose
        int pairing = delay * (layers + 1) - 1;
        bool strong = c.Rule == RuleKind.StrongDfc;
        foreach (var (sim, field) in strong ? new[] { (s.Forward, "dfc.forward"), (s.Feedback, "dfc.feedback") } : new[] { (s.Feedback, "dfc.feedback") })
            if (sim.Steps - 1 - pairing < 1)
                add($"{field}.steps", $"{sim.Steps} steps leave no control value that answered the first layer's noise at engine.delay {delay} "
                    + $"(it returns after {pairing} steps): needs at least {pairing + 2}, or set dfc.jacobiPairingDelay");
    }

    // DataSpec.Validate returns "data.field: reason" (or "field: reason"); split it into our two parts.
    private static string FieldOfDataProblem(string text)
    {
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        string field = colon > 0 ? text[..colon] : "data";
        return field.StartsWith("data", StringComparison.Ordinal) ? field : $"data.{field}";
    }

    private static string ReasonOfDataProblem(string text)
    {
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? text[(colon + 2)..] : text;
    }
}

/// <summary>The widths a data set feeds a network with, known before the data are loaded.</summary>
public readonly record struct DataShape(int InputWidth, int OutputWidth, bool Classification)
{
    public static DataShape? Of(DataSpec spec) => spec.Name switch
    {
        "mnist" or "fashion-mnist" => new DataShape(784, 10, true),
        "mnist1d" => new DataShape(360, 10, true),
        "lagline" or "lagnet" => new DataShape(1, 1, false),
        "teacher-student" => new DataShape(spec.Teacher?.InputSize ?? new TeacherSpec().InputSize, spec.Teacher?.OutputSize ?? new TeacherSpec().OutputSize, false),
        _ => null,
    };
}
