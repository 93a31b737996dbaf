using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Gle;
using Xunit;
using static Apical.Core.Tests.Rules.Gle.GleTestSupport;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>The readout: cross-entropy per step and the argmax of the output summed over a sample.</summary>
public class GleReadoutTests
{
    [Fact]
    public void LossIsCrossEntropyAndTheReadoutUsesTheSampleSum()
    {
        var readout = new GleReadout(0, 3, stepsPerSample: 2, batchCapacity: 2);
        var y = new Tensor(2, 3);
        y[0, 2] = 1; y[1, 0] = 1;
        // Row 0: step 1 favours class 0 slightly, step 2 favours class 2 strongly → sum picks 2 (correct).
        // Row 1: both steps favour class 1 → wrong.
        var o1 = new Tensor(2, 3); o1[0, 0] = 0.5f; o1[1, 1] = 1f;
        var o2 = new Tensor(2, 3); o2[0, 2] = 2f; o2[1, 1] = 1f;
        double expected = 0;
        foreach (var o in new[] { o1, o2 })
        {
            for (int b = 0; b < 2; b++)
            {
                double z = 0;
                for (int j = 0; j < 3; j++) z += Math.Exp(o[b, j]);
                int c = b == 0 ? 2 : 0;
                expected += -(o[b, c] - Math.Log(z)) / 2;
            }
        }
        expected /= 2; // two steps
        long step = 1;
        foreach (var o in new[] { o1, o2 })
            readout.Fire(0, Phase.Train, step++, [Msg(MessageKind.Output, o), Msg(MessageKind.Target, y)], null!);
        var (loss, acc, samples) = readout.Take(Phase.Train);
        Assert.Equal(expected, loss, 5);
        Assert.Equal(0.5, acc);
        Assert.Equal(2, samples);
        Assert.True(double.IsNaN(readout.Take(Phase.Train).Loss), "Take resets the phase");
    }
}
