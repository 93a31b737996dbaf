using Apical.Core.Losses;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// The graph of a GLE run: source → layer 1 → … → layer L → readout, Feedback links down, and either the
/// source's targets or a fixed teacher network (same input, its output as Target) feeding the output layer.
/// Node ids: 0 source, 1..L layers, then the teacher's layers, then the readout. With link delay d the readout
/// receives the output and its target both d steps late, so it compares values that belong together.
/// <para>Rates, Feedback and Output links (the teacher's Rates too) carry <c>gle.delay</c> and the link model of
/// <c>engine.jitter</c> / <c>engine.loss</c>; the data links (Input, Target) are plain delay-1 links (the readout's
/// Target: delay d), so every layer consumes x_k and y_k at step k.</para>
/// </summary>
public sealed class GleNetwork
{
    private GleNetwork(GleStreamSource source, GleLayer[] layers, GleLayer[] teacher, GleReadout readout, Topology topology)
    {
        Source = source;
        Layers = layers;
        Teacher = teacher;
        Readout = readout;
        Topology = topology;
    }

    public GleStreamSource Source { get; }
    public IReadOnlyList<GleLayer> Layers { get; }
    /// <summary>Empty unless the target comes from a teacher network.</summary>
    public IReadOnlyList<GleLayer> Teacher { get; }
    public GleReadout Readout { get; }
    public Topology Topology { get; }

    /// <summary>Whether a config streams a generated task (lagline, lagnet) rather than classification samples.</summary>
    public static bool IsStreamTask(RunConfig config) => config.Data.Name is Data.DatasetNames.LagLine or Data.DatasetNames.LagNet;

    /// <summary>
    /// The graph every engine builds for a config and the data shape. Stream tasks: <see cref="GraphShape.InputWidth"/>
    /// values per step, batch capacity = the batch size. Classification: a sample of <see cref="GraphShape.InputWidth"/>
    /// values fed <c>gle.inputChannels</c> values per step, batch capacity large enough for the tiled test batch.
    /// </summary>
    public static GleNetwork Build(RunConfig config, GraphShape shape)
    {
        var gle = config.Gle ?? throw new ArgumentException("gle: the gle rule needs a \"gle\" section");
        if (IsStreamTask(config)) return Build(config, shape.InputWidth, 0, config.BatchSize);
        int channels = gle.InputChannels;
        if (shape.InputWidth < channels || shape.InputWidth % channels != 0)
            throw new ArgumentException($"gle.inputChannels: {channels} does not divide the sample length {shape.InputWidth}");
        return Build(config, channels, shape.InputWidth / channels, BatchCapacity(config));
    }

    /// <summary>Rows a classification run's nodes must hold: the training batch, or the evaluation batch that tiles it.</summary>
    public static int BatchCapacity(RunConfig config) =>
        IsStreamTask(config) || config.Gle is { TileEvaluation: false } ? config.BatchSize : Math.Max(config.BatchSize, config.Evaluation.BatchSize);

    /// <summary>The nodes of a graph <see cref="Build(RunConfig, GraphShape)"/> made (on the in-process engine the live
    /// ones; on the actor runtime only the source is live, the others are the coordinator's copies).</summary>
    public static GleNetwork Of(RunConfig config, Topology topology)
    {
        int n = topology.Nodes.Count, L = config.Network.Layers.Count;
        int teacher = config.Gle?.Teacher is null ? 0 : L;
        if (n != 2 + L + teacher || topology.Nodes[0] is not GleStreamSource source || topology.Nodes[n - 1] is not GleReadout readout)
            throw new ArgumentException($"the graph of {n} nodes is not the GLE graph of this config");
        var layers = new GleLayer[L];
        var teachers = new GleLayer[teacher];
        for (int i = 0; i < L; i++) layers[i] = (GleLayer)topology.Nodes[1 + i];
        for (int i = 0; i < teacher; i++) teachers[i] = (GleLayer)topology.Nodes[1 + L + i];
        return new GleNetwork(source, layers, teachers, readout, topology);
    }

    /// <param name="stepsPerSample">Steps per classification sample; 0 for regression streams.</param>
    public static GleNetwork Build(RunConfig config, int inputWidth, int stepsPerSample, int batchCapacity)
    {
        var gle = config.Gle ?? throw new ArgumentException("gle: the gle rule needs a \"gle\" section");
        var specs = config.Network.Layers;
        int L = specs.Count;
        bool withTeacher = gle.Teacher is not null;
        int outWidth = specs[L - 1].Out;
        int delay = gle.Delay, jitter = config.Engine.Jitter;
        double loss = config.Engine.Loss;
        var source = new GleStreamSource(0, inputWidth, withTeacher ? 0 : outWidth);
        var layers = new GleLayer[L];
        var teacher = new GleLayer[withTeacher ? L : 0];
        var links = new List<Link>();

        for (int i = 0; i < L; i++)
            layers[i] = Layer(config, gle.Layers[i], i, 1 + i, $"layer{i + 1}", inputWidth, teacher: false);
        for (int i = 0; i < teacher.Length; i++)
            teacher[i] = Layer(config, gle.Teacher![i], i, 1 + L + i, $"teacher{i + 1}", inputWidth, teacher: true);
        var readout = new GleReadout(1 + L + teacher.Length, outWidth, stepsPerSample, batchCapacity);

        Chain(layers, links, delay, jitter, loss, feedback: true);
        links.Add(new Link(layers[L - 1].Id, MessageKind.Output, readout.Id, 0, delay, jitter, loss));
        if (withTeacher)
        {
            Chain(teacher, links, delay, jitter, loss, feedback: false);
            links.Add(new Link(teacher[L - 1].Id, MessageKind.Target, layers[L - 1].Id, 1, 1));
            links.Add(new Link(teacher[L - 1].Id, MessageKind.Target, readout.Id, 1, delay));
        }
        else
        {
            links.Add(new Link(source.Id, MessageKind.Target, layers[L - 1].Id, 1, 1));
            links.Add(new Link(source.Id, MessageKind.Target, readout.Id, 1, delay));
        }
        links.Add(new Link(source.Id, MessageKind.Input, layers[0].Id, 0, 1));
        if (withTeacher) links.Add(new Link(source.Id, MessageKind.Input, teacher[0].Id, 0, 1));

        var nodes = new List<INode> { source };
        nodes.AddRange(layers);
        nodes.AddRange(teacher);
        nodes.Add(readout);
        return new GleNetwork(source, layers, teacher, readout, new Topology(nodes, links));

        GleLayer Layer(RunConfig c, GleLayerSpec s, int i, int id, string name, int input, bool teacher)
        {
            var ls = specs[i];
            int nIn = i == 0 ? input : specs[i - 1].Out;
            bool top = i == L - 1;
            var tauM = GleLayerSpec.Expand(s.TauM, ls.Out, $"gle.layers[{i}].tauM");
            var tauR = GleLayerSpec.Expand(s.TauR ?? s.TauM, ls.Out, $"gle.layers[{i}].tauR");
            return new GleLayer(new GleLayerOptions
            {
                Id = id,
                Name = name,
                InSize = nIn,
                OutSize = ls.Out,
                BatchSize = c.BatchSize,
                BatchCapacity = batchCapacity,
                InputKind = i == 0 ? MessageKind.Input : MessageKind.Rates,
                OutputKind = !top ? MessageKind.Rates : teacher ? MessageKind.Target : MessageKind.Output,
                ErrorSource = teacher ? GleErrorSource.None : top ? GleErrorSource.Target : GleErrorSource.Feedback,
                SendFeedback = !teacher && i > 0,
                Loss = c.Loss == LossKind.Mse ? GleLoss.Mse : GleLoss.CrossEntropy,
                Phi = s.Phi ?? GlePhiFunctions.FromActivation(ls.Activation),
                TauM = tauM,
                TauR = tauR,
                Dt = (float)gle.Dt,
                Beta = (float)gle.Beta,
                Gamma = (float)gle.Gamma,
                ProspectiveErrors = gle.ProspectiveErrors,
                Bias = s.Bias,
                Learn = !teacher && s.Learn,
                LearnTauM = !teacher && s.LearnTauM,
                TauMMin = (float)(s.TauMMin ?? 10 * gle.Dt),
                LearnFromStep = gle.LearnFromStep,
                Optimizer = ls.Optimizer ?? c.Optimizer,
                Seed = c.Seed,
                InitialWeights = s.Weights,
                InitialBiases = s.Biases,
            });
        }
    }

    private static void Chain(GleLayer[] layers, List<Link> links, int delay, int jitter, double loss, bool feedback)
    {
        for (int i = 1; i < layers.Length; i++)
        {
            links.Add(new Link(layers[i - 1].Id, MessageKind.Rates, layers[i].Id, 0, delay, jitter, loss));
            if (feedback) links.Add(new Link(layers[i].Id, MessageKind.Feedback, layers[i - 1].Id, 1, delay, jitter, loss));
        }
    }
}
