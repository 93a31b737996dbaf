using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Apical.Core.Rules.Gle;

/// <summary>The rate nonlinearity φ of a GLE layer.</summary>
public enum GlePhi
{
    Identity,
    Tanh,
    /// <summary>log(1 + eˣ), φ′ = logistic.</summary>
    Softplus,
    Logistic,
}

/// <summary>φ and φ′ evaluated at the prospective potential ũ.</summary>
public static class GlePhiFunctions
{
    /// <summary>r ← φ(ũ), rp ← φ′(ũ) (ũ may alias neither output).</summary>
    public static void Apply(GlePhi phi, ReadOnlySpan<float> uTilde, Span<float> r, Span<float> rp)
    {
        switch (phi)
        {
            case GlePhi.Identity:
                uTilde.CopyTo(r);
                rp.Fill(1f);
                break;
            case GlePhi.Tanh:
                TensorPrimitives.Tanh(uTilde, r);
                OneMinusSquare(r, rp);
                break;
            case GlePhi.Logistic:
                TensorPrimitives.Sigmoid(uTilde, r);
                TimesOneMinus(r, rp);
                break;
            case GlePhi.Softplus:
                for (int i = 0; i < r.Length; i++)
                {
                    float x = uTilde[i];
                    r[i] = MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
                    rp[i] = 1f / (1f + MathF.Exp(-x));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(phi), phi, "unknown φ");
        }
    }

    /// <summary>rp = 1 − r·r (multiply, then subtract: the same two roundings at every vector width).</summary>
    private static void OneMinusSquare(ReadOnlySpan<float> r, Span<float> rp)
    {
        var rv = MemoryMarshal.Cast<float, Vector<float>>(r);
        var pv = MemoryMarshal.Cast<float, Vector<float>>(rp);
        for (int i = 0; i < rv.Length; i++) pv[i] = Vector<float>.One - rv[i] * rv[i];
        for (int i = rv.Length * Vector<float>.Count; i < r.Length; i++) rp[i] = 1f - r[i] * r[i];
    }

    /// <summary>rp = r·(1 − r).</summary>
    private static void TimesOneMinus(ReadOnlySpan<float> r, Span<float> rp)
    {
        var rv = MemoryMarshal.Cast<float, Vector<float>>(r);
        var pv = MemoryMarshal.Cast<float, Vector<float>>(rp);
        for (int i = 0; i < rv.Length; i++) pv[i] = rv[i] * (Vector<float>.One - rv[i]);
        for (int i = rv.Length * Vector<float>.Count; i < r.Length; i++) rp[i] = r[i] * (1f - r[i]);
    }

    public static double Value(GlePhi phi, double x) => phi switch
    {
        GlePhi.Identity => x,
        GlePhi.Tanh => Math.Tanh(x),
        GlePhi.Logistic => 1 / (1 + Math.Exp(-x)),
        GlePhi.Softplus => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))),
        _ => throw new ArgumentOutOfRangeException(nameof(phi)),
    };

    public static double Derivative(GlePhi phi, double x) => phi switch
    {
        GlePhi.Identity => 1,
        GlePhi.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
        GlePhi.Logistic => Value(GlePhi.Logistic, x) * (1 - Value(GlePhi.Logistic, x)),
        GlePhi.Softplus => 1 / (1 + Math.Exp(-x)),
        _ => throw new ArgumentOutOfRangeException(nameof(phi)),
    };

    public static GlePhi FromActivation(Numerics.Activation a) => a switch
    {
        Numerics.Activation.Linear => GlePhi.Identity,
        Numerics.Activation.Tanh => GlePhi.Tanh,
        Numerics.Activation.Sigmoid => GlePhi.Logistic,
        _ => throw new ArgumentException($"activation {a} has no GLE counterpart; set gle.layers[i].phi"),
    };
}
