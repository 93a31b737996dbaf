using Apical.Core.Numerics;

namespace Apical.Core.Data;

/// <summary>Parameters of the MNIST-1D generator (Greydanus 2020), defaults as in the GLE experiments.</summary>
public sealed record Mnist1dOptions
{
    public int Samples { get; init; } = 5000;
    public double TrainSplit { get; init; } = 0.8;
    public int TemplateLength { get; init; } = 12;
    public int PadMin { get; init; } = 36;
    public int PadMax { get; init; } = 60;
    public double ScaleCoefficient { get; init; } = 0.4;
    public int MaxTranslation { get; init; } = 48;
    public double CorrNoiseScale { get; init; } = 0.25;
    public double IidNoiseScale { get; init; } = 0.02;
    public double ShearScale { get; init; } = 0.75;
    /// <summary>Points per final sample (360 for the GLE runs; 40 in the original benchmark).</summary>
    public int FinalLength { get; init; } = 360;
    public ulong Seed { get; init; } = 42;
}

/// <summary>
/// MNIST-1D: ten 12-point digit templates, each sample padded, dilated to 72 points, scaled, translated, given
/// correlated noise on its padding, iid noise and a shear, then resampled to <see cref="Mnist1dOptions.FinalLength"/>
/// points; one permutation, global normalisation, first 80 % train. Every draw comes from
/// <see cref="CounterRng"/> keyed by (seed, sample index), arithmetic in double with a fixed order, so the
/// arrays are bit-identical on every platform for the same seed.
/// </summary>
public static class Mnist1dGenerator
{
    public const int DilatedLength = 72;
    public const int Classes = 10;

    private static readonly double[][] RawTemplates =
    [
        [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
        [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
        [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
        [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
        [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
        [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
        [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
        [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
    ];

    /// <summary>The processed templates: minus mean, over population std, minus first value, over 6.</summary>
    public static double[][] Templates()
    {
        var result = new double[Classes][];
        for (int d = 0; d < Classes; d++)
        {
            var t = RawTemplates[d];
            double mean = 0;
            foreach (var x in t) mean += x;
            mean /= t.Length;
            double var = 0;
            foreach (var x in t) var += (x - mean) * (x - mean);
            double std = Math.Sqrt(var / t.Length);
            var p = new double[t.Length];
            for (int i = 0; i < t.Length; i++) p[i] = (t[i] - mean) / std;
            double first = p[0];
            for (int i = 0; i < t.Length; i++) p[i] = (p[i] - first) / 6;
            result[d] = p;
        }
        return result;
    }

    /// <summary>Generates the whole data set: (train, test) with inputs rows × FinalLength and labels.</summary>
    public static DataSplits Generate(Mnist1dOptions? options = null)
    {
        var o = options ?? new Mnist1dOptions();
        var (x, labels) = GenerateRaw(o);
        int n = o.Samples, len = o.FinalLength;

        // One permutation of samples and labels.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var rng = CounterRng.For(o.Seed, 0, 0, RngPurpose.Shuffle);
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(((ulong)rng.NextUInt() * (ulong)(i + 1)) >> 32);
            (order[i], order[j]) = (order[j], order[i]);
        }

        // Global normalisation (mean and population std over all values), fixed summation order.
        double sum = 0;
        foreach (var v in x) sum += v;
        double mean = sum / x.Length;
        double sq = 0;
        foreach (var v in x) sq += (v - mean) * (v - mean);
        double std = Math.Sqrt(sq / x.Length);

        int trainCount = (int)Math.Round(n * o.TrainSplit);
        var all = new Tensor(n, len);
        var lab = new int[n];
        for (int i = 0; i < n; i++)
        {
            int s = order[i];
            lab[i] = labels[s];
            var row = all.Row(i);
            for (int j = 0; j < len; j++) row[j] = (float)((x[s * len + j] - mean) / std);
        }
        var full = Dataset.Classification($"mnist1d-{len}", all, lab, Classes);
        return new DataSplits(full.Slice(0, trainCount, $"mnist1d-{len}/train"), null,
                              full.Slice(trainCount, n - trainCount, $"mnist1d-{len}/test"));
    }

    /// <summary>Unpermuted, unnormalised samples (class by class) in double, and their labels.</summary>
    public static (double[] Values, int[] Labels) GenerateRaw(Mnist1dOptions o)
    {
        var templates = Templates();
        int len = o.FinalLength;
        var values = new double[o.Samples * len];
        var labels = new int[o.Samples];
        int perClass = o.Samples / Classes;
        var sample = new double[len];
        for (int i = 0; i < o.Samples; i++)
        {
            int digit = Math.Min(i / perClass, Classes - 1);
            labels[i] = digit;
            Sample(templates[digit], o, i, sample, out _);
            Array.Copy(sample, 0, values, i * len, len);
        }
        return (values, labels);
    }

    /// <summary>One sample (index <paramref name="index"/> selects its random stream) into <paramref name="result"/>;
    /// <paramref name="templatePoints"/> = how many of the 72 dilated points carry the template.</summary>
    public static void Sample(double[] template, Mnist1dOptions o, int index, double[] result, out int templatePoints)
    {
        var rng = CounterRng.For(o.Seed, 0, index, RngPurpose.Data);
        double uPad = Uniform(ref rng), uScale = Uniform(ref rng);
        int shift = (int)(((ulong)rng.NextUInt() * (ulong)o.MaxTranslation) >> 32);
        var corr = new double[DilatedLength];
        var iid = new double[DilatedLength];
        for (int j = 0; j < DilatedLength; j++) corr[j] = Gaussian(ref rng);
        for (int j = 0; j < DilatedLength; j++) iid[j] = Gaussian(ref rng);
        double uShear = Uniform(ref rng);

        // 1. Pad.
        int pad = o.PadMin + (int)Math.Floor((o.PadMax - o.PadMin + 1) * uPad);
        int n = template.Length + pad;
        var padded = new double[n];
        for (int j = 0; j < template.Length; j++) padded[j] = template[j] + 1e-8;

        // 2. Dilate onto 72 points; 3. scale.
        var x = new double[DilatedLength];
        Resample(padded, x);
        double scale = 1 + o.ScaleCoefficient * (uScale - 0.5);
        templatePoints = 0;
        for (int j = 0; j < DilatedLength; j++)
        {
            if (x[j] != 0) templatePoints++;
            x[j] *= scale;
        }

        // 4. Circular right shift.
        var shifted = new double[DilatedLength];
        for (int j = 0; j < DilatedLength; j++) shifted[j] = x[((j - shift) % DilatedLength + DilatedLength) % DilatedLength];

        // 5. Correlated noise on the padding.
        for (int j = 0; j < DilatedLength; j++) corr[j] *= o.CorrNoiseScale;
        var smooth = new double[DilatedLength];
        GaussianSmooth(corr, smooth, sigma: 2, radius: 8);
        for (int j = 0; j < DilatedLength; j++) if (shifted[j] == 0) shifted[j] = smooth[j];

        // 6. iid noise; 7. shear.
        double c = o.ShearScale * (uShear - 0.5);
        for (int j = 0; j < DilatedLength; j++)
            shifted[j] = shifted[j] + o.IidNoiseScale * iid[j] - c * (-0.5 + (double)j / (DilatedLength - 1));

        // 8. Resample onto the final grid.
        Resample(shifted, result);
    }

    /// <summary>Piecewise-linear interpolation between evenly spaced grids spanning [0, 1] (exact positions).</summary>
    public static void Resample(ReadOnlySpan<double> src, Span<double> dst)
    {
        int n = src.Length - 1, m = dst.Length - 1;
        for (int j = 0; j <= m; j++)
        {
            long num = (long)j * n;
            int i = (int)(num / m);
            double frac = (double)(num % m) / m;
            dst[j] = frac == 0 ? src[i] : src[i] + frac * (src[i + 1] - src[i]);
        }
    }

    /// <summary>Gaussian smoothing, weights ∝ exp(−j²/(2σ²)), j = −radius..radius, normalised; half-sample
    /// symmetric ("reflect") boundary: −1 → 0, −2 → 1, n → n−1.</summary>
    public static void GaussianSmooth(ReadOnlySpan<double> src, Span<double> dst, double sigma, int radius)
    {
        Span<double> w = stackalloc double[2 * radius + 1];
        double total = 0;
        for (int k = -radius; k <= radius; k++) total += w[k + radius] = Math.Exp(-k * k / (2 * sigma * sigma));
        for (int k = 0; k < w.Length; k++) w[k] /= total;
        int n = src.Length;
        for (int j = 0; j < n; j++)
        {
            double acc = 0;
            for (int k = -radius; k <= radius; k++) acc += w[k + radius] * src[Reflect(j + k, n)];
            dst[j] = acc;
        }
    }

    internal static int Reflect(int i, int n)
    {
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }

    private static double Uniform(ref CounterRng rng) => (rng.NextUInt() >> 8) * (1.0 / 16777216.0);

    private static double Gaussian(ref CounterRng rng)
    {
        // Box–Muller, one value per pair of draws (keeps the draw count fixed per value).
        double u1 = ((rng.NextUInt() >> 8) + 1) * (1.0 / 16777216.0);
        double a = (rng.NextUInt() >> 8) * (2.0 * Math.PI / 16777216.0);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(a);
    }
}
