using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Backprop;

namespace Apical.Core.Rules.FeedbackAlignment;

/// <summary>
/// Diagnostic oracle, outside the layers: on one probe minibatch, the angle (degrees) between each hidden
/// layer's weight update under the run's credit assignment (FA: δᵢ₊₁Bᵢ, DFA: e Bᵢ) and the true
/// backpropagation gradient, both from the same forward pass with the current weights. Allocates; call it once
/// per evaluation, never on the hot path.
/// </summary>
public static class GradientAlignment
{
    /// <summary>Angles for layers 1 … L−1 (the output layer's update is the same under every rule).</summary>
    public static double[] AnglesToBackprop(IReadOnlyList<DenseLayer> layers, RuleKind rule, LossKind loss, Tensor x, Tensor target)
    {
        int count = layers.Count;
        var h = new Tensor[count + 1];
        h[0] = x;
        for (int l = 0; l < count; l++)
        {
            h[l + 1] = new Tensor(x.Rows, layers[l].Options.OutSize);
            Gemm.MatMulTransB(h[l], layers[l].Weights, h[l + 1]);
            Ops.AddRowVector(h[l + 1], layers[l].Bias.ReadOnlySpan);
            Activations.Apply(layers[l].Options.Activation, h[l + 1].Span);
        }
        var e = new Tensor(x.Rows, target.Cols);
        LossFunctions.Evaluate(loss, h[count], target, e);

        var deltaBp = new Tensor[count];
        var deltaRule = new Tensor[count];
        deltaBp[count - 1] = Delta(e, h[count], layers[count - 1].Options.Activation);
        deltaRule[count - 1] = deltaBp[count - 1];
        var angles = new double[count - 1];
        for (int l = count - 2; l >= 0; l--)
        {
            var fromAbove = new Tensor(x.Rows, layers[l].Options.OutSize);
            Gemm.MatMul(deltaBp[l + 1], layers[l + 1].Weights, fromAbove);
            deltaBp[l] = Delta(fromAbove, h[l + 1], layers[l].Options.Activation);

            var credit = new Tensor(x.Rows, layers[l].Options.OutSize);
            var feedback = layers[l].FeedbackMatrix;
            if (rule == RuleKind.Bp || feedback is null) Gemm.MatMul(deltaRule[l + 1], layers[l + 1].Weights, credit);
            else Gemm.MatMul(rule == RuleKind.Dfa ? e : deltaRule[l + 1], feedback, credit);
            deltaRule[l] = Delta(credit, h[l + 1], layers[l].Options.Activation);

            var gBp = new Tensor(layers[l].Options.OutSize, layers[l].Options.InSize);
            var gRule = new Tensor(layers[l].Options.OutSize, layers[l].Options.InSize);
            Gemm.MatMulTransA(deltaBp[l], h[l], gBp);
            Gemm.MatMulTransA(deltaRule[l], h[l], gRule);
            angles[l] = Angle(gBp.ReadOnlySpan, gRule.ReadOnlySpan);
        }
        return angles;
    }

    /// <summary>The angle in degrees between two tensors seen as vectors (NaN if either is zero).</summary>
    public static double Angle(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        if (na == 0 || nb == 0) return double.NaN;
        double cos = Math.Clamp(dot / Math.Sqrt(na * nb), -1.0, 1.0);
        return Math.Acos(cos) * 180.0 / Math.PI;
    }

    private static Tensor Delta(Tensor dLdh, Tensor h, Activation f)
    {
        var d = new Tensor(h.Rows, h.Cols);
        Activations.MultiplyByDerivative(f, dLdh.ReadOnlySpan, h.ReadOnlySpan, d.Span);
        return d;
    }
}
