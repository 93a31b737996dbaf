using Apical.Core.Numerics;
using Apical.Core.Rules.Gle;
using Xunit;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>The fused per-row step equals the separate error-neuron and membrane steps bit for bit.</summary>
public class NeuronStepTests
{
    [Theory]
    [InlineData(53, 0f, true)]
    [InlineData(53, 0.5f, true)]
    [InlineData(7, 1f, false)]
    public void FusedStepEqualsTheSeparateSteps(int n, float gamma, bool prospective)
    {
        var rng = CounterRng.For(9, 0, 0, RngPurpose.Noise);
        float[] Rand() { var a = new float[n]; rng.FillNormal(a, 0f, 1f); return a; }
        float[] Pos() { var a = new float[n]; rng.FillUniform(a, 0.1f, 2f); return a; }
        var eInst = Rand(); var v = Rand(); var u = Rand(); var s = Rand(); var bias = Rand();
        var mOverR = Pos(); var dtOverR = Pos(); var rOverM = Pos(); var dtOverM = Pos(); var invTauM = Pos();

        var v1 = (float[])v.Clone(); var u1 = (float[])u.Clone(); var e1 = new float[n]; var ut1 = new float[n]; var ud1 = new float[n];
        var drive1 = new float[n];
        for (int i = 0; i < n; i++) drive1[i] = s[i] + bias[i];
        ErrorNeurons.Step(eInst, v1, e1, mOverR, dtOverR, prospective, new float[n]);
        ProspectiveRate.Step(drive1, e1, gamma, u1, ut1, rOverM, dtOverM, invTauM, ud1);

        var v2 = (float[])v.Clone(); var u2 = (float[])u.Clone(); var e2 = new float[n]; var ut2 = new float[n]; var ud2 = new float[n];
        var drive2 = (float[])s.Clone();
        NeuronStep.Row(eInst, v2, e2, drive2, bias, u2, ut2, ud2, gamma, prospective, mOverR, dtOverR, rOverM, dtOverM, invTauM);

        Assert.Equal(e1, e2);
        Assert.Equal(v1, v2);
        Assert.Equal(u1, u2);
        Assert.Equal(ut1, ut2);
        Assert.Equal(ud1, ud2);
    }
}
