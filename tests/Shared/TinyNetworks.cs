using Apical.Core.Data;
using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;

namespace Apical.Tests.Shared;

/// <summary>Small generated data sets and configs for rule and engine tests.</summary>
public static class TinyNetworks
{
    /// <summary>A classification set whose label is the argmax of a fixed random linear map of the input.</summary>
    public static Dataset Classification(int samples, int inputs, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = new Tensor(samples, inputs);
        var map = new double[classes, inputs];
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < inputs; i++) map[c, i] = rng.NextDouble() * 2 - 1;
        var labels = new int[samples];
        for (int s = 0; s < samples; s++)
        {
            for (int i = 0; i < inputs; i++) x[s, i] = (float)(rng.NextDouble() * 2 - 1);
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double score = 0;
                for (int i = 0; i < inputs; i++) score += map[c, i] * x[s, i];
                if (score > bestScore) { bestScore = score; best = c; }
            }
            labels[s] = best;
        }
        return Dataset.Classification("tiny", x, labels, classes);
    }

    public static DataSplits Splits(Dataset train, Dataset? test = null) => new(train, null, test ?? train);

    public static RunConfig Config(RuleKind rule, int[] sizes, OptimizerSpec optimizer, int batchSize,
        int pipelineDepth = 0, ulong seed = 7, LossKind loss = LossKind.SoftmaxCrossEntropy, int epochs = 1)
    {
        var layers = new List<LayerSpec>();
        for (int i = 1; i < sizes.Length; i++)
            layers.Add(new LayerSpec { Out = sizes[i], Activation = i == sizes.Length - 1 ? Activation.Linear : Activation.Tanh });
        return new RunConfig
        {
            Name = "tiny",
            Seed = seed,
            Epochs = epochs,
            Rule = rule,
            Data = new DataSpec(),
            Network = new NetworkSpec { Input = sizes[0], Layers = layers },
            Loss = loss,
            BatchSize = batchSize,
            Optimizer = optimizer,
            Engine = new EngineSpec { PipelineDepth = pipelineDepth },
            Evaluation = new EvaluationSpec { BatchSize = batchSize, AtStart = false },
        };
    }

    public static OptimizerSpec Sgd(double lr) => new() { Type = OptimizerKind.Sgd, LearningRate = lr };
}
