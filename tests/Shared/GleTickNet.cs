using Apical.Core.Data;
using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Gle;

namespace Apical.Tests.Shared;

/// <summary>The all-LE network of the GLE tick-semantics check (spec section 11) and its static map F.</summary>
public static class GleTickNet
{
    /// <summary>All-LE 4-8-8-2 (tanh, tanh, linear), τ = 1, dt = 0.1, learning off, link delay <paramref name="delay"/>.</summary>
    public static RunConfig Config(int delay, int batch) => new()
    {
        Rule = RuleKind.Gle,
        Seed = 11,
        Data = new DataSpec { Name = DatasetNames.LagNet },
        Network = new NetworkSpec { Input = 4, Layers = [new() { Out = 8 }, new() { Out = 8 }, new() { Out = 2, Activation = Activation.Linear }] },
        Loss = LossKind.Mse,
        BatchSize = batch,
        Evaluation = new EvaluationSpec { BatchSize = batch },
        Gle = new GleSpec
        {
            Dt = 0.1, Delay = delay, InputChannels = 4,
            Layers = [.. Enumerable.Range(0, 3).Select(_ => new GleLayerSpec { TauM = [new TauSegment { Value = 1 }], Learn = false })],
        },
    };

    /// <summary>F(x) = φ_L(W_L … φ_1(W_1 x + b_1) … + b_L) in double, layer by layer.</summary>
    public static double[] Static(IReadOnlyList<(Tensor W, Tensor B, GlePhi Phi)> layers, ReadOnlySpan<float> x)
    {
        var a = new double[x.Length];
        for (int i = 0; i < a.Length; i++) a[i] = x[i];
        foreach (var (w, b, phi) in layers)
        {
            var next = new double[w.Rows];
            for (int j = 0; j < w.Rows; j++)
            {
                double s = b[0, j];
                for (int i = 0; i < w.Cols; i++) s += w[j, i] * a[i];
                next[j] = GlePhiFunctions.Value(phi, s);
            }
            a = next;
        }
        return a;
    }
}
