using Apical.Core.Data;
using Apical.Core.Data.Streams;
using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Gle;
using Xunit;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>Spec checks 6–8: LagLine learns the teacher's weights and time constants with prospective errors and
/// stalls with instantaneous ones; a learned τ_m never drops below 10 dt.</summary>
public class LagLineTests
{
    internal static RunConfig Config(bool prospective)
    {
        GleLayerSpec Neuron(float w, double tau, bool learnTau) => new()
        {
            Phi = GlePhi.Softplus, Bias = false, TauM = [new TauSegment { Value = tau }], TauR = [new TauSegment { Value = 0.1 }],
            LearnTauM = learnTau, Weights = [w],
        };
        return new RunConfig
        {
            Rule = RuleKind.Gle,
            Data = new DataSpec { Name = DatasetNames.LagLine },
            Network = new NetworkSpec { Input = 1, Layers = [new() { Out = 1 }, new() { Out = 1 }] },
            Loss = LossKind.Mse,
            BatchSize = 100,
            Optimizer = new OptimizerSpec { Type = OptimizerKind.Adam, LearningRate = 1e-4 },
            Gle = new GleSpec
            {
                Dt = 0.01, Beta = 0.01, Gamma = 1, ProspectiveErrors = prospective, LearnFromStep = 5001, Steps = 60_000,
                Layers = [Neuron(0.4900934f, 0.3074228, true), Neuron(0.8964447f, 0.6340787, true)],
                Teacher = [Neuron(1f, 1, false), Neuron(2f, 2, false)],
            },
        };
    }

    private static (double Loss40k, double Loss60k, float[] W, float[] Tau, float MinTau) Run(bool prospective)
    {
        var config = Config(prospective);
        Assert.Empty(RunConfigValidator.Validate(config));
        using var session = new GleStreamSession(config);
        var layers = session.Network.Layers;
        double loss40k = double.NaN, loss60k = double.NaN;
        float minTau = float.MaxValue;
        for (long k = 1; k <= 60_000; k++)
        {
            double loss = session.Advance();
            if (k == 40_000) loss40k = loss;
            if (k == 60_000) loss60k = loss;
            minTau = Math.Min(minTau, Math.Min(layers[0].TauM[0, 0], layers[1].TauM[0, 0]));
        }
        return (loss40k, loss60k, [layers[0].Weights[0, 0], layers[1].Weights[0, 0]], [layers[0].TauM[0, 0], layers[1].TauM[0, 0]], minTau);
    }

    [Fact]
    public void ProspectiveErrorsRecoverTheTeacher()
    {
        var (l40, l60, w, tau, minTau) = Run(prospective: true);
        string report = $"loss {l40:g3} at 40k, {l60:g3} at 60k; w = ({w[0]}, {w[1]}), τ_m = ({tau[0]}, {tau[1]})";
        Assert.True(l40 < 1e-5, report);
        Assert.True(l60 < 1e-8, report);
        Assert.True(Math.Abs(w[0] - 1) < 1e-2 && Math.Abs(w[1] - 2) < 1e-2, report);
        Assert.True(Math.Abs(tau[0] - 1) < 2e-2 && Math.Abs(tau[1] - 2) < 2e-2, report);
        Assert.True(minTau >= 0.1f, $"τ_m fell to {minTau}");
    }

    [Fact]
    public void InstantaneousErrorsStallAtTheClamp()
    {
        var (_, l60, w, tau, minTau) = Run(prospective: false);
        string report = $"loss {l60:g3} at 60k; w = ({w[0]}, {w[1]}), τ_m = ({tau[0]}, {tau[1]})";
        Assert.True(l60 > 1e-3, report);
        Assert.True(tau[0] == 0.1f || tau[1] == 0.1f, report);
        Assert.True(minTau >= 0.1f, $"τ_m fell to {minTau}");
    }

    [Fact]
    public void InputIsASmoothedShiftedSquareWave()
    {
        var task = new LagLineTask(4, 1);
        var x = new Tensor(4, 1);
        double min = double.MaxValue, max = double.MinValue;
        var ref0 = new double[1000];
        for (int k = 0; k < 1000; k++)
        {
            task.Fill(k, x);
            for (int r = 0; r < 4; r++) { min = Math.Min(min, x[r, 0]); max = Math.Max(max, x[r, 0]); }
            ref0[k] = x[0, 0];
        }
        Assert.InRange(min, -1.0001, -0.99);
        Assert.InRange(max, 0.99, 1.0001);
        // Period ≈ 400 steps: x(k) ≈ x(k + 400) away from the edges of a pulse.
        int close = 0;
        for (int k = 0; k < 500; k++) if (Math.Abs(ref0[k] - ref0[k + 400]) < 0.05) close++;
        Assert.True(close > 450, $"{close} of 500 steps repeat after 400 steps");
        foreach (int shift in task.Shifts) Assert.InRange(shift, 0, 199);
    }
}
