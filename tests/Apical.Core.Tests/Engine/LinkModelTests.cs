using Apical.Tests.Shared;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Engine;

public class LinkModelTests
{
    private const int Steps = 300, Width = 2;
    private const float Dt = 0.1f;
    private const ulong Seed = 17;

    private static float Input(int t, int i) => MathF.Sin(0.2f * t + i);

    private static (LeakyNode B, InProcessEngine Engine) Run(Link ab, int? shuffle)
    {
        var source = new ManualSource(0, Width);
        var a = new LeakyNode(1, Width, Dt, 1f, MessageKind.Input);
        var b = new LeakyNode(2, Width, Dt, 2f);
        var topology = new Topology(new INode[] { source, a, b }, new[] { new Link(0, MessageKind.Input, 1, 0, 1), ab });
        var engine = new InProcessEngine(topology, "t", 1, shuffle, Seed);
        var outbox = engine.OutboxOf(0);
        for (int t = 0; t < Steps; t++)
        {
            var m = outbox.Rent(MessageKind.Input, 1);
            for (int i = 0; i < Width; i++) m.Payload[0, i] = Input(t, i);
            outbox.Send(m, Phase.Train, t);
            engine.Pump();
        }
        return (b, engine);
    }

    [Theory]
    [InlineData(2, 3, 0.0)]
    [InlineData(1, 0, 0.1)]
    [InlineData(3, 4, 0.2)]
    public void JitterAndLossGiveTheSampleAndHoldSimulationExactly(int delay, int jitter, double loss)
    {
        var link = new Link(1, MessageKind.Rates, 2, 0, delay, jitter, loss);
        var (b, engine) = Run(link, shuffle: null);

        // a's trajectory: a fires steps 0 … Steps (input delay 1).
        var history = new List<float[]>();
        var va = new float[Width];
        for (int t = 0; t <= Steps; t++)
        {
            for (int i = 0; i < Width; i++) va[i] += Dt * (-va[i] + (t >= 1 ? Input(t - 1, i) : 0f));
            history.Add((float[])va.Clone());
        }
        // b holds the newest value of a that is not lost and has arrived.
        var vb = new float[Width];
        long held = -1;
        int fired = b.FiredSteps.Count;
        Assert.True(fired > Steps - jitter, $"b fired only {fired} steps");
        int linkIndex = 1;
        for (int t = 0; t < fired; t++)
        {
            for (long s = t - delay; s > held && s >= 0; s--)
            {
                if (link.Dropped(Seed, linkIndex, s) || link.Arrival(Seed, linkIndex, s) > t) continue;
                held = s;
                break;
            }
            for (int i = 0; i < Width; i++) vb[i] += Dt * (-vb[i] + 2f * (held >= 0 ? history[(int)held][i] : 0f));
        }
        Assert.Equal(vb, b.State);

        var stats = engine.LinkStatistics();
        Assert.Single(stats);
        if (loss > 0) Assert.InRange(stats[0].Statistics.Dropped, (long)(Steps * loss * 0.5), (long)(Steps * loss * 1.6));
        else Assert.Equal(0, stats[0].Statistics.Dropped);
        if (jitter > 0 || loss > 0) Assert.True(stats[0].Statistics.MeanStaleness > 0);
        engine.Dispose();
    }

    [Fact]
    public void AJitteryLossyRunDoesNotDependOnDeliveryOrder()
    {
        var link = new Link(1, MessageKind.Rates, 2, 0, 2, 5, 0.1);
        var (fifo, e1) = Run(link, null);
        var (shuffled, e2) = Run(link, 3);
        Assert.Equal(fifo.State, shuffled.State);
        Assert.Equal(e1.LinkStatistics()[0].Statistics.Dropped, e2.LinkStatistics()[0].Statistics.Dropped);
        e1.Dispose();
        e2.Dispose();
    }

    [Fact]
    public void LossAndJitterAreRejectedOnPipelinedNodes()
    {
        var layer = new Apical.Core.Rules.Backprop.DenseLayer(new Apical.Core.Rules.Backprop.DenseLayerOptions
        {
            Id = 1, Name = "l1", InSize = 6, OutSize = 3, IsFirst = true, IsOutput = true, CreditIn = Apical.Core.Rules.Backprop.CreditIn.None,
            Optimizer = TinyNetworks.Sgd(0.1), BatchCapacity = 8, Seed = 1,
        });
        var source = new Apical.Core.Nodes.DataSourceNode(0, 6, 3, 8);
        var e = Assert.Throws<ArgumentException>(() => new Topology(new INode[] { source, layer },
            new[] { new Link(0, MessageKind.Input, 1, 0, 1, Loss: 0.1) }));
        Assert.Contains("lockstep", e.Message);
    }

    [Fact]
    public void AFreeRunningPortUsesTheNewestValueAndReportsItsStaleness()
    {
        var source = new ManualSource(0, Width);
        var a = new LeakyNode(1, Width, Dt, 1f, MessageKind.Input);
        var topology = new Topology(new INode[] { source, a }, new[] { new Link(0, MessageKind.Input, 1, 0, 2) });
        var gate = new NodeGate(a, topology, Seed, freeRunning: true);
        Assert.False(gate.TryNext(out _, out _, out _));
        gate.PrepareFree(0);
        Assert.Equal(0, gate.Inputs[0]!.Payload.Rows); // nothing received yet: zeros
        gate.Complete(0, Phase.Train, 0);
        for (int s = 0; s < 6; s++)
            gate.Accept(0, Message.Create("t", 0, MessageKind.Input, Phase.Train, s, long.MaxValue, new Apical.Core.Numerics.Tensor(1, Width)));
        gate.PrepareFree(10);
        Assert.Equal(5, gate.Inputs[0]!.Step);
        gate.Complete(0, Phase.Train, 10);
        Assert.Equal(10 - 2 - 5, gate.StatisticsOf(0).StalenessSum);
        Assert.Equal(0, gate.Pending); // older values were released
    }
}
