using Apical.Core.Losses;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>Per-epoch aggregates of the forward-learning simulations (spec 14 diagnostics).</summary>
public sealed class DfcEpochStats
{
    private readonly double[] _ratio, _gradNorm, _clipNorm;
    private readonly int[] _gradBatches, _clipped;
    private double _loss, _finalError, _errorRatio, _effort;
    private int _correct, _samples, _converged, _diverged, _batches;
    private LinkCounts _links;

    public DfcEpochStats(DfcNetwork net)
    {
        int layers = net.Layers.Count;
        _clipNorm = new double[layers]; // each layer's forward clipping threshold (0: off)
        for (int l = 0; l < layers; l++) _clipNorm[l] = net.Layers[l].Options.ForwardOptimizer.ClipNorm;
        _ratio = new double[layers];
        _gradNorm = new double[layers];
        _gradBatches = new int[layers];
        _clipped = new int[layers];
    }

    public double Loss => _samples > 0 ? _loss / _samples : double.NaN;
    public double Accuracy => _samples > 0 ? (double)_correct / _samples : double.NaN;

    public void Add(Tensor output, DfcBatchStats batch, int[] classes, Tensor onehot, int rows)
    {
        _loss += LossFunctions.Evaluate(LossKind.SoftmaxCrossEntropy, output, onehot, null);
        for (int r = 0; r < rows; r++) if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(output.Row(r)) == classes[r]) _correct++;
        for (int b = 0; b < rows; b++)
        {
            _finalError += batch.FinalError[b];
            double e0 = batch.InitialError[b];
            _errorRatio += e0 > 0 ? batch.FinalError[b] / e0 : 0;
            if (batch.Converged[b]) _converged++;
            if (batch.Diverged[b]) _diverged++;
        }
        int n = 0;
        double effort = 0;
        for (int l = 0; l < batch.Widths.Length; l++)
        {
            effort += batch.ControlEffort[l];
            n += batch.Widths[l];
            _ratio[l] += batch.FeedbackRatio[l];
            double g = batch.WeightGradientNorm[l];
            if (double.IsNaN(g)) continue;
            _gradNorm[l] += g;
            _gradBatches[l]++;
            if (_clipNorm[l] > 0 && g > _clipNorm[l]) _clipped[l]++;
        }
        _effort += effort / ((double)rows * n);
        _links.Add(batch.Links);
        _samples += rows;
        _batches++;
    }

    public IEnumerable<KeyValuePair<string, double>> Columns(DfcNetwork net)
    {
        double s = _samples > 0 ? _samples : double.NaN, b = _batches > 0 ? _batches : double.NaN;
        yield return new("final_error", _finalError / s);
        yield return new("final_error_ratio", _errorRatio / s);
        yield return new("converged_fraction", (double)_converged / s);
        yield return new("diverged_fraction", (double)_diverged / s);
        yield return new("control_effort", _effort / b);
        for (int l = 0; l < _ratio.Length; l++) yield return new($"feedback_ratio_l{l + 1}", _ratio[l] / b);
        // forward-rule gradients before clipping: their mean norm, and the share of mini-batches clipped
        for (int l = 0; l < _ratio.Length; l++) yield return new($"w_grad_norm_l{l + 1}", _gradBatches[l] > 0 ? _gradNorm[l] / _gradBatches[l] : double.NaN);
        for (int l = 0; l < _ratio.Length; l++) yield return new($"w_clipped_fraction_l{l + 1}", _gradBatches[l] > 0 ? (double)_clipped[l] / _gradBatches[l] : double.NaN);
        if (!net.Links.Enabled) yield break;
        // over every input of every node and every step of the epoch's forward-learning simulations
        double due = _links.Due > 0 ? _links.Due : double.NaN, firings = _links.Firings > 0 ? _links.Firings : double.NaN;
        yield return new("link_loss_fraction", _links.Lost / due);
        yield return new("link_mean_staleness", _links.StalenessSum / firings);
        yield return new("link_max_staleness", _links.Firings > 0 ? _links.MaxStaleness : double.NaN);
    }
}
