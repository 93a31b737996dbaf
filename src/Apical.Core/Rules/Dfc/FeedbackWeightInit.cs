using Apical.Core.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Apical.Core.Rules.Dfc;

/// <summary>How the feedback weights Q_l of the hidden layers start (spec section 7); Q_L is always the identity.</summary>
public enum FeedbackInitKind
{
    /// <summary>Xavier-normal on n_l × n_L (the default).</summary>
    XavierNormal,
    /// <summary>Q_l = W_{l+1}ᵀ ⋯ W_Lᵀ + N(0, σ_init²): the feedback a linear network's Jacobian would ask for.</summary>
    WeightProduct,
}

/// <summary>
/// The <c>weight_product</c> initialisation of Q, applied once to a freshly built network (before any checkpoint is
/// restored). It needs the initial forward weights of the layers above, which every node hosting a layer has: each
/// builds the whole graph from the config and the seed, so the product is the same wherever the layers live. The
/// product is formed in float64; the noise of layer l comes from its own stream keyed (seed, layer, Q-product).
/// </summary>
public static class FeedbackWeightInit
{
    /// <summary>Sub-stream of the init purpose for the product's noise (0: W, 1: Xavier Q).</summary>
    private const long NoiseStream = 2;

    public static void ApplyWeightProduct(IReadOnlyList<DfcLayer> layers, ulong seed, double sigma)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), $"σ_init must be finite and >= 0, got {sigma}");
        // Q_l = W_{l+1}ᵀ Q_{l+1}, from Q_L = Id downwards
        var above = Matrix<double>.Build.DenseIdentity(layers[^1].Options.OutSize);
        for (int l = layers.Count - 2; l >= 0; l--)
        {
            var product = DfcOracle.ToMatrix(layers[l + 1].Weights).TransposeThisAndMultiply(above);
            var q = layers[l].FeedbackWeights;
            var rng = CounterRng.For(seed, layers[l].Options.RngKey, NoiseStream, RngPurpose.Init);
            for (int i = 0; i < q.Rows; i++)
                for (int c = 0; c < q.Cols; c++)
                    q[i, c] = (float)(product[i, c] + (sigma > 0 ? sigma * rng.NextGaussian() : 0));
            layers[l].Repack();
            above = product;
        }
    }
}
