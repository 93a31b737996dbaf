using Apical.Tests.Shared;
using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Backprop;
using Apical.Core.Tests.TestSupport;
using Apical.Core.Losses;
using Xunit;

namespace Apical.Core.Tests.Rules.Backprop;

public class BackpropGradientTests
{
    [Theory]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    [InlineData(LossKind.Mse)]
    public void LayerGradientsEqualFiniteDifferences(LossKind loss)
    {
        var data = TinyNetworks.Classification(samples: 8, inputs: 6, classes: 3, seed: 1);
        // lr = 0: the step computes the gradients but leaves the weights as they were.
        var config = TinyNetworks.Config(RuleKind.Bp, new[] { 6, 5, 4, 3 }, TinyNetworks.Sgd(0), batchSize: 8, loss: loss);
        using var session = new TrainingSession(config, TinyNetworks.Splits(data));
        session.TrainEpoch(1);
        var layers = session.Network.Layers;

        var reference = new ReferenceMlp(layers, loss);
        for (int l = 0; l < layers.Count; l++)
        {
            var w = layers[l].Weights;
            var g = layers[l].LastWeightGradient;
            double maxError = 0, maxGrad = 0;
            for (int i = 0; i < w.Rows; i++)
            for (int j = 0; j < w.Cols; j++)
            {
                double fd = reference.FiniteDifference(l, i, j, data, 1e-5);
                maxError = Math.Max(maxError, Math.Abs(fd - g[i, j]));
                maxGrad = Math.Max(maxGrad, Math.Abs(fd));
            }
            Assert.True(maxGrad > 1e-4, $"layer {l}: gradient vanished, the check would be vacuous");
            Assert.True(maxError < 1e-4 + 1e-3 * maxGrad, $"layer {l}: max |BP − finite difference| = {maxError:E3} (max |grad| {maxGrad:E3})");
        }
    }

    /// <summary>A double-precision forward pass over the same weights, for finite differences.</summary>
    private sealed class ReferenceMlp
    {
        private readonly double[][,] _w;
        private readonly double[][] _b;
        private readonly Activation[] _f;
        private readonly LossKind _loss;

        public ReferenceMlp(IReadOnlyList<DenseLayer> layers, LossKind loss)
        {
            _loss = loss;
            _w = new double[layers.Count][,];
            _b = new double[layers.Count][];
            _f = new Activation[layers.Count];
            for (int l = 0; l < layers.Count; l++)
            {
                var w = layers[l].Weights;
                _w[l] = new double[w.Rows, w.Cols];
                for (int i = 0; i < w.Rows; i++) for (int j = 0; j < w.Cols; j++) _w[l][i, j] = w[i, j];
                _b[l] = new double[w.Rows];
                for (int i = 0; i < w.Rows; i++) _b[l][i] = layers[l].Bias[0, i];
                _f[l] = layers[l].Options.Activation;
            }
        }

        public double FiniteDifference(int layer, int i, int j, Apical.Core.Data.Dataset data, double eps)
        {
            double keep = _w[layer][i, j];
            _w[layer][i, j] = keep + eps;
            double plus = MeanLoss(data);
            _w[layer][i, j] = keep - eps;
            double minus = MeanLoss(data);
            _w[layer][i, j] = keep;
            return (plus - minus) / (2 * eps);
        }

        private double MeanLoss(Apical.Core.Data.Dataset data)
        {
            double total = 0;
            for (int s = 0; s < data.Count; s++)
            {
                double[] h = new double[data.InputSize];
                for (int k = 0; k < h.Length; k++) h[k] = data.Inputs[s, k];
                for (int l = 0; l < _w.Length; l++)
                {
                    var next = new double[_b[l].Length];
                    for (int o = 0; o < next.Length; o++)
                    {
                        double a = _b[l][o];
                        for (int k = 0; k < h.Length; k++) a += _w[l][o, k] * h[k];
                        next[o] = _f[l] switch { Activation.Tanh => Math.Tanh(a), _ => a };
                    }
                    h = next;
                }
                if (_loss == LossKind.Mse)
                {
                    for (int o = 0; o < h.Length; o++) { double d = h[o] - data.Targets[s, o]; total += 0.5 * d * d; }
                }
                else
                {
                    double max = h.Max();
                    double lse = max + Math.Log(h.Sum(v => Math.Exp(v - max)));
                    for (int o = 0; o < h.Length; o++) total -= data.Targets[s, o] * (h[o] - lse);
                }
            }
            return total / data.Count;
        }
    }
}
