using Apical.Tests.Shared;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Engine;

public class PipelinedScheduleTests
{
    private static readonly int[] Sizes = { 8, 16, 12, 3 };

    private static float[][] TrainedWeights(int depth, int? shuffle, int epochs = 2)
    {
        var data = TinyNetworks.Classification(96, 8, 3, seed: 4);
        var config = TinyNetworks.Config(RuleKind.Bp, Sizes, new Apical.Core.Optimization.OptimizerSpec { LearningRate = 1e-2 }, 8, pipelineDepth: depth);
        using var session = new TrainingSession(config, TinyNetworks.Splits(data), deliveryShuffleSeed: shuffle);
        for (int e = 1; e <= epochs; e++) session.TrainEpoch(e);
        Assert.Equal(0, session.Engine.PendingMessages);
        var weights = new List<float[]>();
        foreach (var l in session.Network.Layers)
            foreach (var p in l.Parameters) weights.Add(p.Tensor.ReadOnlySpan.ToArray());
        return weights.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void DeliveryOrderDoesNotChangeTheResult(int depth)
    {
        var fifo = TrainedWeights(depth, null);
        Assert.Equal(fifo, TrainedWeights(depth, 1));
        Assert.Equal(fifo, TrainedWeights(depth, 2));
    }

    [Fact]
    public void PipeliningChangesTheUpdatesThroughStaleness()
    {
        Assert.NotEqual(TrainedWeights(0, null), TrainedWeights(2, null));
    }

    [Theory]
    [InlineData(0, "F0 B0 F1 B1 F2 B2 F3 B3")]
    [InlineData(1, "F0 F1 B0 F2 B1 F3 B2 B3")]
    [InlineData(2, "F0 F1 F2 B0 F3 B1 B2 B3")]
    public void ALayerInterleavesForwardAndCreditByDepth(int depth, string expected)
    {
        var node = new RecordingNode(depth);
        var gate = new NodeGate(node, new[] { 1, 1 });
        // Everything arrives at once and out of order: the gate alone decides the order.
        for (int k = 3; k >= 0; k--)
        {
            gate.Accept(1, Message.Create("r", 9, MessageKind.Feedback, Phase.Train, k, 3, new Apical.Core.Numerics.Tensor(1, 2)));
            gate.Accept(0, Message.Create("r", 0, MessageKind.Rates, Phase.Train, k, 3, new Apical.Core.Numerics.Tensor(1, 2)));
        }
        var order = new List<string>();
        while (gate.TryNext(out int trigger, out var phase, out long step))
        {
            order.Add((trigger == 0 ? "F" : "B") + step);
            gate.Complete(trigger, phase, step);
        }
        Assert.Equal(expected, string.Join(' ', order));
        Assert.Equal(0, gate.Pending);
    }

    [Fact]
    public void CreditWaitsForTheForwardItBelongsTo()
    {
        var gate = new NodeGate(new RecordingNode(0), new[] { 1, 1 });
        gate.Accept(1, Message.Create("r", 9, MessageKind.Feedback, Phase.Train, 0, 10, new Apical.Core.Numerics.Tensor(1, 2)));
        Assert.False(gate.TryNext(out _, out _, out _));
        gate.Accept(0, Message.Create("r", 0, MessageKind.Rates, Phase.Train, 0, 10, new Apical.Core.Numerics.Tensor(1, 2)));
        Assert.True(gate.TryNext(out int trigger, out _, out _));
        Assert.Equal(0, trigger);
    }

    [Fact]
    public void AMessageOfTheWrongWidthIsRejected()
    {
        var gate = new NodeGate(new RecordingNode(0), new[] { 1, 1 });
        var e = Assert.Throws<InvalidOperationException>(() =>
            gate.Accept(0, Message.Create("r", 0, MessageKind.Rates, Phase.Train, 0, 10, new Apical.Core.Numerics.Tensor(1, 5))));
        Assert.Contains("width 2", e.Message);
    }

    [Fact]
    public void TheSteadyStateAllocatesNoNewMessages()
    {
        var data = TinyNetworks.Classification(64, 8, 3, seed: 4);
        var config = TinyNetworks.Config(RuleKind.Bp, Sizes, TinyNetworks.Sgd(0.01), 8, pipelineDepth: 2);
        using var session = new TrainingSession(config, TinyNetworks.Splits(data));
        session.TrainEpoch(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        session.TrainEpoch(2);
        session.TrainEpoch(3);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4096, $"two warm epochs allocated {allocated} bytes");
    }

    private sealed class RecordingNode : INode
    {
        public RecordingNode(int depth) => Schedule = Schedule.Pipelined(depth);
        public int Id => 1;
        public string Name => "rec";
        public IReadOnlyList<InputPort> Inputs { get; } = new[] { new InputPort(MessageKind.Rates, 2, 0), new InputPort(MessageKind.Feedback, 2, 1) };
        public IReadOnlyList<OutputPort> Outputs { get; } = Array.Empty<OutputPort>();
        public Schedule Schedule { get; }
        public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox) { }
    }
}
