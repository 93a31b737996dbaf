using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Engine;

public class LockstepEngineTests
{
    [Theory]
    [InlineData(1, 1, null)]
    [InlineData(3, 1, null)]
    [InlineData(2, 5, null)]
    [InlineData(3, 2, 11)]
    public void AChainWithDelaysEqualsTheDirectSimulation(int d1, int d2, int? shuffle)
    {
        const int steps = 40, width = 3;
        const float dt = 0.1f;
        var source = new ManualSource(0, width);
        var a = new LeakyNode(1, width, dt, 1.5f, MessageKind.Input);
        var b = new LeakyNode(2, width, dt, -0.5f);
        var topology = new Topology(new INode[] { source, a, b },
            new[] { new Link(0, MessageKind.Input, 1, 0, d1), new Link(1, MessageKind.Rates, 2, 0, d2) });
        using var engine = new InProcessEngine(topology, "t", 1, shuffle);
        var outbox = engine.OutboxOf(0);
        float Input(int t, int i) => MathF.Sin(0.3f * t + i);
        for (int t = 0; t < steps; t++)
        {
            var m = outbox.Rent(MessageKind.Input, 1);
            for (int i = 0; i < width; i++) m.Payload[0, i] = Input(t, i);
            outbox.Send(m, Phase.Train, t);
            engine.Pump();
        }

        // Direct simulation of the same explicit-Euler network with the link delays.
        int firedA = steps + d1, firedB = firedA + d2;
        var va = new float[width];
        var vb = new float[width];
        var historyA = new List<float[]>();
        for (int t = 0; t < firedA; t++)
        {
            for (int i = 0; i < width; i++)
            {
                float x = t - d1 >= 0 ? Input(t - d1, i) : 0f;
                va[i] += dt * (-va[i] + 1.5f * x);
            }
            historyA.Add((float[])va.Clone());
        }
        for (int t = 0; t < firedB; t++)
            for (int i = 0; i < width; i++)
            {
                float x = t - d2 >= 0 ? historyA[t - d2][i] : 0f;
                vb[i] += dt * (-vb[i] + -0.5f * x);
            }

        // Node a fires steps 0 .. steps+d1−1 (inputs exist up to step steps−1+d1); b follows d2 steps later.
        Assert.Equal(steps + d1, a.FiredSteps.Count);
        Assert.Equal(steps + d1 + d2, b.FiredSteps.Count);
        for (int k = 0; k < a.FiredSteps.Count; k++) Assert.Equal(k, a.FiredSteps[k]);
        Assert.Equal(historyA[^1], a.State);
        Assert.Equal(vb, b.State);
        Assert.Equal(0, engine.PendingMessages);
    }
}
