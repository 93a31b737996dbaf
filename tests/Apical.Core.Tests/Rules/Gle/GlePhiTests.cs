using Apical.Core.Rules.Gle;
using Xunit;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>φ and φ′ of a whole row (vector body and scalar tail) against the double-precision definitions.</summary>
public class GlePhiTests
{
    [Theory]
    [InlineData(GlePhi.Tanh, 1)]
    [InlineData(GlePhi.Tanh, 53)]
    [InlineData(GlePhi.Logistic, 53)]
    [InlineData(GlePhi.Logistic, 16)]
    [InlineData(GlePhi.Softplus, 19)]
    [InlineData(GlePhi.Identity, 7)]
    public void ApplyMatchesTheDefinitions(GlePhi phi, int n)
    {
        var u = new float[n];
        for (int i = 0; i < n; i++) u[i] = -4f + 8f * i / Math.Max(1, n - 1) + 0.013f;
        var r = new float[n];
        var rp = new float[n];
        GlePhiFunctions.Apply(phi, u, r, rp);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(r[i] - GlePhiFunctions.Value(phi, u[i])) < 1e-6, $"{phi} φ({u[i]}) = {r[i]}");
            Assert.True(Math.Abs(rp[i] - GlePhiFunctions.Derivative(phi, u[i])) < 1e-6, $"{phi} φ′({u[i]}) = {rp[i]}");
        }
    }
}
