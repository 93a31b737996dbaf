using Apical.Core.Losses;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// The graph of a GLE run: source → layer 1 → … → layer L → readout, Feedback links down, and either the
/// source's targets or a fixed teacher network (same input, its output as Target) feeding the output layer.
/// Node ids: 0 source, 1..L layers, then the teacher's layers, then the readout. With link delay d the readout
/// receives the output and its target both d steps late, so it compares values that belong together.
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

    /// <param name="stepsPerSample">Steps per classification sample; 0 for regression streams.</param>
    public static GleNetwork Build(RunConfig config, int inputWidth, int stepsPerSample, int batchCapacity)
    {
        var gle = config.Gle ?? throw new ArgumentException("gle: the gle rule needs a \"gle\" section");
        var specs = config.Network.Layers;
        int L = specs.Count;
        bool withTeacher = gle.Teacher is not null;
        int outWidth = specs[L - 1].Out;
        int delay = gle.Delay;
        var source = new GleStreamSource(0, inputWidth, withTeacher ? 0 : outWidth);
        var layers = new GleLayer[L];
        var teacher = new GleLayer[withTeacher ? L : 0];
        var links = new List<Link>();

        for (int i = 0; i < L; i++)
            layers[i] = Layer(config, gle.Layers[i], i, 1 + i, $"layer{i + 1}", inputWidth, teacher: false);
        for (int i = 0; i < teacher.Length; i++)
            teacher[i] = Layer(config, gle.Teacher![i], i, 1 + L + i, $"teacher{i + 1}", inputWidth, teacher: true);
        var readout = new GleReadout(1 + L + teacher.Length, outWidth, stepsPerSample, batchCapacity);

        Chain(layers, links, delay, feedback: true);
        links.Add(new Link(layers[L - 1].Id, MessageKind.Output, readout.Id, 0, delay));
        if (withTeacher)
        {
            Chain(teacher, links, delay, feedback: false);
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

    private static void Chain(GleLayer[] layers, List<Link> links, int delay, bool feedback)
    {
        for (int i = 1; i < layers.Length; i++)
        {
            links.Add(new Link(layers[i - 1].Id, MessageKind.Rates, layers[i].Id, 0, delay));
            if (feedback) links.Add(new Link(layers[i].Id, MessageKind.Feedback, layers[i - 1].Id, 1, delay));
        }
    }
}
