using Apical.Core.Model;
using Apical.Core.Nodes;
using Apical.Core.Optimization;
using Apical.Core.Rules.Backprop;

namespace Apical.Core.Rules;

/// <summary>A built graph and the handles the engines need.</summary>
public sealed record Network(Topology Topology, DataSourceNode Source, LossNode Loss, IReadOnlyList<DenseLayer> Layers);

/// <summary>
/// Turns a config into the graph of a discrete-rule run: data source → layers → loss, with the credit links of
/// the chosen rule (BP: δW down the chain; FA: δ down the chain, mapped by each receiver's random matrix;
/// DFA: the output error broadcast from the loss to every layer).
/// </summary>
public static class NetworkBuilder
{
    public static Network Build(RunConfig c, int inputWidth, int outputWidth, bool classification)
    {
        var layers = c.Network.Layers;
        int count = layers.Count;
        int batchCapacity = Math.Max(c.BatchSize, c.Evaluation.BatchSize);
        int depth = c.Engine.PipelineDepth;
        var nodes = new List<INode>();
        var links = new List<Link>();

        var source = new DataSourceNode(0, inputWidth, outputWidth, batchCapacity);
        nodes.Add(source);
        var dense = new List<DenseLayer>();
        int previous = inputWidth;
        for (int i = 0; i < count; i++)
        {
            bool top = i == count - 1;
            int id = i + 1;
            var (creditIn, width) = c.Rule switch
            {
                _ when top => (CreditIn.Identity, outputWidth),
                RuleKind.Bp => (CreditIn.Identity, layers[i].Out),
                RuleKind.Fa => (CreditIn.FixedRandomMatrix, layers[i + 1].Out),
                _ => (CreditIn.FixedRandomMatrix, outputWidth),
            };
            var creditOut = i == 0 ? CreditOut.None : c.Rule switch
            {
                RuleKind.Bp => CreditOut.TransposedWeights,
                RuleKind.Fa => CreditOut.Error,
                _ => CreditOut.None,
            };
            var layer = new DenseLayer(new DenseLayerOptions
            {
                Id = id,
                Name = $"layer{i + 1}",
                InSize = previous,
                OutSize = layers[i].Out,
                Activation = layers[i].Activation,
                IsFirst = i == 0,
                IsOutput = top,
                CreditIn = creditIn,
                FeedbackWidth = width,
                CreditOut = creditOut,
                Optimizer = layers[i].Optimizer ?? c.Optimizer,
                PipelineDepth = depth,
                BatchCapacity = batchCapacity,
                Seed = c.Seed,
                Init = c.Network.Init,
            });
            dense.Add(layer);
            nodes.Add(layer);
            previous = layers[i].Out;
        }

        int lossId = count + 1;
        var loss = new LossNode(lossId, outputWidth, c.Loss, classification, depth);
        nodes.Add(loss);

        int delay = c.Engine.Delay;
        links.Add(new Link(0, MessageKind.Input, 1, 0, delay));
        links.Add(new Link(0, MessageKind.Target, lossId, 1, delay));
        for (int id = 1; id < count; id++) links.Add(new Link(id, MessageKind.Rates, id + 1, 0, delay));
        links.Add(new Link(count, MessageKind.Output, lossId, 0, delay));
        links.Add(new Link(lossId, MessageKind.Feedback, count, 1, delay));
        if (c.Rule == RuleKind.Dfa)
        {
            for (int id = 1; id < count; id++) links.Add(new Link(lossId, MessageKind.Feedback, id, 1, delay));
        }
        else
        {
            for (int id = 2; id <= count; id++) links.Add(new Link(id, MessageKind.Feedback, id - 1, 1, delay));
        }
        return new Network(new Topology(nodes, links), source, loss, dense);
    }
}
