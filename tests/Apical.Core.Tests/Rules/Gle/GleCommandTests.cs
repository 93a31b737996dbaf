using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Gle;
using Xunit;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>The GLE nodes' control-plane commands, and the phase of a step whose rates arrive over a jittery link.</summary>
public class GleCommandTests
{
    /// <summary>1 → 4 → 4 → 2 (tanh, tanh, linear; lag units), SGD, link delay 1 with the given jitter.</summary>
    private static RunConfig Net(int jitter) => new()
    {
        Rule = RuleKind.Gle,
        Seed = 3,
        Data = new DataSpec { Name = DatasetNames.LagNet },
        Network = new NetworkSpec { Input = 1, Layers = [new() { Out = 4 }, new() { Out = 4 }, new() { Out = 2, Activation = Activation.Linear }] },
        Loss = LossKind.Mse,
        BatchSize = 2,
        Evaluation = new EvaluationSpec { BatchSize = 2 },
        Optimizer = new OptimizerSpec { Type = OptimizerKind.Sgd, LearningRate = 0.05 },
        Engine = new EngineSpec { Jitter = jitter },
        Gle = new GleSpec
        {
            Dt = 0.1,
            Layers = [.. Enumerable.Range(0, 3).Select(_ => new GleLayerSpec { TauM = [new TauSegment { Value = 1 }], TauR = [new TauSegment { Value = 0.1 }] })],
        },
    };

    /// <summary>Two rows of <paramref name="steps"/> normal inputs and a constant target.</summary>
    private static (Tensor X, Tensor Y) Batch(int steps, float target)
    {
        var x = new Tensor(2, steps);
        var rng = CounterRng.For(4, 0, 0, RngPurpose.Noise);
        rng.FillNormal(x.Span, 0f, 1f);
        var y = new Tensor(2, 2);
        y.Span.Fill(target);
        return (x, y);
    }

    [Fact]
    public void LearningRateIsReadAndSetAndBadArgumentsAreRefused()
    {
        var net = GleNetwork.Build(Net(0), new GraphShape(1, 2, false));
        using var engine = new InProcessLockstepEngine(net.Topology, "c", 2, 3);
        int layer = net.Layers[1].Id;
        Assert.Equal(0.05, engine.Command(layer, GleCommands.GetLearningRate).Numbers[0]);
        Assert.Equal(0.02, engine.Command(layer, GleCommands.SetLearningRate(0.02)).Numbers[0]);
        Assert.Equal(0.02, net.Layers[1].LearningRate);
        Assert.Equal(0.05, net.Layers[0].LearningRate); // only the addressed layer
        Assert.Contains("learning-rate", Assert.Throws<ArgumentException>(() => engine.Command(layer, new NodeCommand("learning-rate", -1))).Message);
        Assert.Contains("'explode'", Assert.Throws<ArgumentException>(() => engine.Command(layer, new NodeCommand("explode"))).Message);
        int readout = net.Readout.Id;
        Assert.Contains("take", Assert.Throws<ArgumentException>(() => engine.Command(readout, new NodeCommand("take", 7))).Message);
        Assert.Contains("'learning-rate'", Assert.Throws<ArgumentException>(() => engine.Command(readout, GleCommands.GetLearningRate)).Message);
    }

    [Fact]
    public void ReadoutCommandsReportWhatTheReadoutSaw()
    {
        var net = GleNetwork.Build(Net(0), new GraphShape(1, 2, false));
        using var engine = new InProcessLockstepEngine(net.Topology, "c", 2, 3);
        var (x, y) = Batch(30, 0.5f);
        net.Source.SetBatch(0, Phase.Train, x, y);
        engine.Run(30);
        var last = engine.Command(net.Readout.Id, GleCommands.GetLastLoss).Numbers;
        Assert.Equal((net.Readout.LastLoss, 30.0), (last[0], last[1])); // the readout's target arrives over a delay-1 link
        var output = engine.Command(net.Readout.Id, GleCommands.GetLastOutput);
        Assert.Equal(net.Readout.LastOutput.ReadOnlySpan.ToArray(), output.Tensors[0].Values);
        var taken = engine.Command(net.Readout.Id, GleCommands.TakeOf(Phase.Train)).Numbers;
        Assert.True(taken[0] > 0 && double.IsFinite(taken[0]), $"mean loss {taken[0]}");
        Assert.True(double.IsNaN(engine.Command(net.Readout.Id, GleCommands.TakeOf(Phase.Train)).Numbers[0])); // taken resets
    }

    [Fact]
    public void AStepOnJitteredRatesTakesTheirPhaseSoATestPassNeverLearns()
    {
        var net = GleNetwork.Build(Net(1), new GraphShape(1, 2, false));
        using var engine = new InProcessLockstepEngine(net.Topology, "c", 2, 3);
        var (x, y) = Batch(40, 1f);
        float[] Weights() => [.. net.Layers.SelectMany(l => l.Weights.ReadOnlySpan.ToArray())];

        var before = Weights();
        net.Source.SetBatch(0, Phase.Train, x, y);
        engine.Run(40);
        var trained = Weights();
        Assert.False(before.AsSpan().SequenceEqual(trained), "training changed nothing");
        // The middle layer's Rates and Feedback both arrive over jittery links (sample-and-hold); its error is not zero
        // at the switch (the output's error neurons decay), yet a test pass must not change any weight.
        net.Source.SetBatch(40, Phase.Test, x, y);
        bool error = false;
        for (int s = 41; s <= 80; s++)
        {
            engine.Run(s);
            error |= net.Layers[1].Error.ReadOnlySpan.ToArray().Any(v => v != 0f);
        }
        Assert.True(error, "no error reached the middle layer during the test pass: the check would be empty");
        Assert.True(trained.AsSpan().SequenceEqual(Weights()), "a test pass changed weights");
    }
}
