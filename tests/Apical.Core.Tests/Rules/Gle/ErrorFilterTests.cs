using Apical.Core.Rules.Gle;
using Xunit;
using static Apical.Core.Tests.Rules.Gle.GleTestSupport;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>Spec check 3: the error neurons alone are the filter D⁺_{τ_m} ℐ⁻_{τ_r}, whose phase matches the
/// BPTT adjoint ℐ⁺_{τ_m} D⁻_{τ_r} and whose gain is its reciprocal.</summary>
public class ErrorFilterTests
{
    private const double Dt = 0.01, TauM = 1, TauR = 0.1;
    private const int Skip = 2000, Fit = 10000, Tail = 3000, Steps = Skip + Fit + Tail;

    /// <summary>e_k for e^inst_k = x(t_k), run through <see cref="ErrorNeurons"/> in float32.</summary>
    private static double[] Errors(Func<double, double> x, bool prospective = true)
    {
        float[] v = [0f], e = [0f], scratch = [0f], eInst = [0f];
        float[] mOverR = [(float)(TauM / TauR)], dtOverR = [(float)(Dt / TauR)];
        var result = new double[Steps];
        for (int k = 0; k < Steps; k++)
        {
            eInst[0] = (float)x(k * Dt);
            ErrorNeurons.Step(eInst, v, e, mOverR, dtOverR, prospective, scratch);
            result[k] = e[0];
        }
        return result;
    }

    /// <summary>λ = ℐ⁺_{τ_m} D⁻_{τ_r}[x], integrated backwards from zero at the end (double).</summary>
    private static double[] Adjoint(Func<double, double> x)
    {
        var lambda = new double[Steps];
        double l = 0;
        for (int k = Steps - 1; k >= 0; k--)
        {
            double t = k * Dt;
            double q = x(t) - TauR * (x(t + Dt) - x(t - Dt)) / (2 * Dt);
            l += Dt / TauM * (q - l);
            lambda[k] = l;
        }
        return lambda;
    }

    /// <summary>Least-squares fit y ≈ a sin(ωt) + b cos(ωt) over the fit window: (gain, phase lead).</summary>
    private static (double Gain, double Phase) FitSine(double[] y, double omega)
    {
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        for (int k = Skip; k < Skip + Fit; k++)
        {
            double s = Math.Sin(omega * k * Dt), c = Math.Cos(omega * k * Dt);
            ss += s * s; sc += s * c; cc += c * c; ys += y[k] * s; yc += y[k] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        return (Math.Sqrt(a * a + b * b), Math.Atan2(b, a));
    }

    private static double WindowCosine(double[] a, double[] b) => Cosine(a.AsSpan(Skip, Fit), b.AsSpan(Skip, Fit));

    [Theory]
    [InlineData(0.5, 1.117, 0.414)]
    [InlineData(1.0, 1.407, 0.686)]
    [InlineData(2.0, 2.193, 0.910)]
    public void SingleFrequencyGainAndPhaseMatchTheoryAndTheAdjoint(double omega, double gain, double phase)
    {
        double theoryGain = Math.Sqrt(1 + omega * omega * TauM * TauM) / Math.Sqrt(1 + omega * omega * TauR * TauR);
        double theoryPhase = Math.Atan(omega * TauM) - Math.Atan(omega * TauR);
        Assert.Equal(gain, theoryGain, 3);
        Assert.Equal(phase, theoryPhase, 3);

        Func<double, double> x = t => Math.Sin(omega * t);
        var e = Errors(x);
        var (g, p) = FitSine(e, omega);
        Assert.True(Math.Abs(g / theoryGain - 1) < 0.01, $"gain {g} vs {theoryGain}");
        Assert.True(Math.Abs(p - theoryPhase) < 0.02, $"phase {p} vs {theoryPhase}");

        var lambda = Adjoint(x);
        var (gl, _) = FitSine(lambda, omega);
        Assert.True(Math.Abs(gl * theoryGain - 1) < 0.01, $"adjoint gain {gl} vs 1/{theoryGain}");
        Assert.True(WindowCosine(e, lambda) > 0.999, $"cos(e, λ) = {WindowCosine(e, lambda)}");
    }

    [Fact]
    public void ProspectiveErrorsTrackTheAdjointBetterThanInstantaneousOnes()
    {
        Func<double, double> x = t => Math.Sin(0.49 * t) + Math.Sin(1.07 * t) + Math.Sin(1.98 * t);
        var lambda = Adjoint(x);
        double cosE = WindowCosine(Errors(x), lambda);
        double cosInst = WindowCosine(Errors(x, prospective: false), lambda);
        Assert.True(cosE > cosInst + 0.05, $"cos(e, λ) = {cosE}, cos(e^inst, λ) = {cosInst} (recorded 0.865 vs 0.772)");
    }
}
