using System.Numerics.Tensors;

namespace Apical.Core.Numerics;

public enum Activation
{
    Linear,
    Tanh,
    Relu,
    Sigmoid,
}

/// <summary>Element-wise nonlinearities and their derivatives expressed through the output h = φ(a).</summary>
public static class Activations
{
    public static void Apply(Activation f, Span<float> x)
    {
        switch (f)
        {
            case Activation.Tanh: TensorPrimitives.Tanh(x, x); break;
            case Activation.Relu: TensorPrimitives.Max(x, 0f, x); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, x); break;
        }
    }

    /// <summary>dst ← g ⊙ φ′, with φ′ computed from the output h (tanh: 1 − h², ReLU: [h &gt; 0], sigmoid: h(1 − h)).</summary>
    public static void MultiplyByDerivative(Activation f, ReadOnlySpan<float> g, ReadOnlySpan<float> h, Span<float> dst)
    {
        switch (f)
        {
            case Activation.Linear:
                g.CopyTo(dst);
                break;
            case Activation.Tanh:
                // g (1 − h²) = g − g h²
                for (int i = 0; i < dst.Length; i++) dst[i] = g[i] * (1f - h[i] * h[i]);
                break;
            case Activation.Relu:
                for (int i = 0; i < dst.Length; i++) dst[i] = h[i] > 0f ? g[i] : 0f;
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < dst.Length; i++) dst[i] = g[i] * h[i] * (1f - h[i]);
                break;
        }
    }
}
