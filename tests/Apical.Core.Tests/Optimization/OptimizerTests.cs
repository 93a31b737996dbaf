using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Xunit;

namespace Apical.Core.Tests.Optimization;

public class OptimizerTests
{
    [Fact]
    public void AdamFollowsTheTextbookUpdateWithBiasCorrection()
    {
        var spec = new OptimizerSpec { Type = OptimizerKind.Adam, LearningRate = 0.01, Beta1 = 0.9, Beta2 = 0.99, Epsilon = 1e-6 };
        const int n = 37; // odd length: vector body and scalar tail
        var p = new Tensor(1, n);
        var rng = new Random(5);
        var refP = new double[n];
        for (int i = 0; i < n; i++) { p[0, i] = (float)rng.NextDouble(); refP[i] = p[0, i]; }
        var m = new double[n];
        var v = new double[n];
        var opt = spec.For(p);
        var g = new Tensor(1, n);
        for (int t = 1; t <= 6; t++)
        {
            for (int i = 0; i < n; i++) g[0, i] = (float)(rng.NextDouble() - 0.5);
            for (int i = 0; i < n; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[0, i];
                v[i] = 0.99 * v[i] + 0.01 * g[0, i] * g[0, i];
                double mHat = m[i] / (1 - Math.Pow(0.9, t));
                double vHat = v[i] / (1 - Math.Pow(0.99, t));
                refP[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-6);
            }
            opt.Step(g);
        }
        for (int i = 0; i < n; i++) Assert.Equal(refP[i], p[0, i], 5e-6);
        // The first step moves every coordinate by about lr (the bias correction at work).
    }

    [Fact]
    public void AdamsFirstStepHasTheSizeOfTheLearningRate()
    {
        var spec = new OptimizerSpec { LearningRate = 0.05, Epsilon = 1e-12 };
        var p = new Tensor(1, 4);
        var g = new Tensor(1, 4);
        g.Span.Fill(1e-3f);
        spec.For(p).Step(g);
        foreach (float x in p.Span) Assert.Equal(-0.05f, x, 1e-5f);
    }

    [Fact]
    public void SgdWithMomentumMatchesTheHeavyBallRecursion()
    {
        var spec = new OptimizerSpec { Type = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.5 };
        var p = new Tensor(1, 1);
        var opt = spec.For(p);
        var g = new Tensor(1, 1);
        g[0, 0] = 1f;
        opt.Step(g); // v = 1, p = −0.1
        opt.Step(g); // v = 1.5, p = −0.25
        Assert.Equal(-0.25f, p[0, 0], 1e-6f);
    }

    [Fact]
    public void ClippingRescalesOnlyGradientsAboveTheNorm()
    {
        var spec = new OptimizerSpec { Type = OptimizerKind.Sgd, LearningRate = 1, ClipNorm = 1 };
        var p = new Tensor(1, 2);
        var g = new Tensor(1, 2);
        g[0, 0] = 3; g[0, 1] = 4; // norm 5 → scaled to norm 1
        var opt = spec.For(p);
        opt.Step(g);
        Assert.Equal(5f, opt.LastGradientNorm, 1e-6f);
        Assert.Equal(-0.6f, p[0, 0], 1e-6f);
        Assert.Equal(-0.8f, p[0, 1], 1e-6f);
        g[0, 0] = 0.3f; g[0, 1] = 0.4f; // norm 0.5: untouched
        opt.Step(g);
        Assert.Equal(-0.9f, p[0, 0], 1e-6f);
    }

    [Fact]
    public void InvalidSettingsAreNamed()
    {
        var problems = new OptimizerSpec { LearningRate = -1, Beta1 = 1, ClipNorm = -2 }.Validate().Select(p => p.Field).ToList();
        Assert.Equal(new[] { "lr", "beta1", "clipNorm" }, problems);
    }
}
