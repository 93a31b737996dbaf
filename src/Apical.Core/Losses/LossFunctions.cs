using Apical.Core.Numerics;

namespace Apical.Core.Losses;

/// <summary>
/// Batch losses and their gradients with respect to the network output. Losses are summed over the rows
/// (the caller averages); gradients are divided by the row count so that they are those of the batch mean.
/// </summary>
public static class LossFunctions
{
    /// <summary>Returns Σ_rows loss and writes ∂(mean loss)/∂y into <paramref name="gradient"/> (may be null).</summary>
    public static double Evaluate(LossKind kind, Tensor output, Tensor target, Tensor? gradient)
    {
        if (!output.SameShape(target))
            throw new ArgumentException($"output {output} and target {target} differ in shape");
        if (gradient is not null && gradient.Cols != output.Cols)
            throw new ArgumentException($"gradient {gradient} does not fit output {output}");
        gradient?.SetRows(output.Rows);
        return kind switch
        {
            LossKind.SoftmaxCrossEntropy => SoftmaxCrossEntropy(output, target, gradient),
            _ => Mse(output, target, gradient),
        };
    }

    private static double SoftmaxCrossEntropy(Tensor y, Tensor t, Tensor? grad)
    {
        double total = 0;
        int n = y.Cols;
        float invRows = 1f / Math.Max(1, y.Rows);
        for (int r = 0; r < y.Rows; r++)
        {
            var yr = y.Row(r);
            var tr = t.Row(r);
            float max = float.NegativeInfinity;
            for (int j = 0; j < n; j++) if (yr[j] > max) max = yr[j];
            double sum = 0;
            for (int j = 0; j < n; j++) sum += Math.Exp(yr[j] - max);
            double logSum = max + Math.Log(sum);
            double tSum = 0, loss = 0;
            for (int j = 0; j < n; j++)
            {
                if (tr[j] != 0) loss -= tr[j] * (yr[j] - logSum);
                tSum += tr[j];
            }
            total += loss;
            if (grad is null) continue;
            var gr = grad.Row(r);
            for (int j = 0; j < n; j++)
            {
                double p = Math.Exp(yr[j] - logSum);
                gr[j] = (float)((p * tSum - tr[j]) * invRows);
            }
        }
        return total;
    }

    private static double Mse(Tensor y, Tensor t, Tensor? grad)
    {
        double total = 0;
        float invRows = 1f / Math.Max(1, y.Rows);
        for (int r = 0; r < y.Rows; r++)
        {
            var yr = y.Row(r);
            var tr = t.Row(r);
            var gr = grad is null ? default : grad.Row(r);
            for (int j = 0; j < yr.Length; j++)
            {
                float d = yr[j] - tr[j];
                total += 0.5 * d * d;
                if (grad is not null) gr[j] = d * invRows;
            }
        }
        return total;
    }

    /// <summary>Rows whose output argmax equals the target argmax (first maximum wins on ties).</summary>
    public static int CountCorrect(Tensor output, Tensor target)
    {
        int correct = 0;
        for (int r = 0; r < output.Rows; r++)
            if (ArgMax(output.Row(r)) == ArgMax(target.Row(r))) correct++;
        return correct;
    }

    public static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int j = 1; j < v.Length; j++) if (v[j] > v[best]) best = j;
        return best;
    }
}
