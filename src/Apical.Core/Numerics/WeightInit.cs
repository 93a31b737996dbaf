namespace Apical.Core.Numerics;

/// <summary>Weight initialisers for a W stored out x in: fan_in = Cols, fan_out = Rows.</summary>
public static class WeightInit
{
    /// <summary>Normal with std = sqrt(2 / (fan_in + fan_out)) (Glorot and Bengio, 2010).</summary>
    public static void XavierNormal(Tensor w, ref CounterRng rng) =>
        rng.FillNormal(w.Span, 0f, MathF.Sqrt(2f / Math.Max(1, w.Cols + w.Rows)));

    /// <summary>Uniform in ±sqrt(6 / (fan_in + fan_out)).</summary>
    public static void XavierUniform(Tensor w, ref CounterRng rng)
    {
        float a = MathF.Sqrt(6f / Math.Max(1, w.Cols + w.Rows));
        rng.FillUniform(w.Span, -a, a);
    }

    /// <summary>Normal with std = sqrt(2 / fan_in) (He et al., 2015), for ReLU layers.</summary>
    public static void HeNormal(Tensor w, ref CounterRng rng) =>
        rng.FillNormal(w.Span, 0f, MathF.Sqrt(2f / Math.Max(1, w.Cols)));

    /// <summary>Normal with mean 0 and the given std.</summary>
    public static void Normal(Tensor w, float std, ref CounterRng rng) => rng.FillNormal(w.Span, 0f, std);
}
