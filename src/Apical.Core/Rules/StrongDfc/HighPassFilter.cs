using Apical.Core.Numerics;

namespace Apical.Core.Rules.StrongDfc;

/// <summary>
/// The high-pass filter each Strong-DFC layer applies to the control it receives before the feedback rule
/// (spec section 10): u^lp[1] = u[1], u^lp[k] = u^lp[k−1] + a_f (u[k] − u^lp[k−1]) for k ≥ 2, u^hp = u − u^lp,
/// a_f = dt/τ_f with the forward dt. It removes the slow control that holds the output at the label and keeps
/// the noise-driven part. The low-pass state is float64: u^hp is a small difference of large values.
/// </summary>
public sealed class HighPassFilter
{
    private readonly double[] _lowPass;
    private double _a;
    private int _length;

    /// <param name="rows">batch capacity.</param>
    /// <param name="width">n_L.</param>
    public HighPassFilter(int rows, int width)
    {
        _lowPass = new double[rows * width];
        Output = new Tensor(rows, width);
    }

    /// <summary>u^hp of the last control seen.</summary>
    public Tensor Output { get; }

    public void Begin(int rows, int width, double a)
    {
        _a = a;
        _length = rows * width;
        if (width != Output.Cols || rows > Output.RowCapacity)
            throw new ArgumentException($"filter holds {Output.RowCapacity} x {Output.Cols}, asked for {rows} x {width}");
        Output.SetRows(rows);
        Output.Clear();
        Array.Clear(_lowPass, 0, _length);
    }

    /// <summary>Filters u[m] (index m of the control sequence); returns u^hp[m] (0 for m ≤ 1).</summary>
    public Tensor Apply(Tensor u, long m)
    {
        var uu = u.ReadOnlySpan;
        var hp = Output.Span;
        var lp = _lowPass.AsSpan(0, _length);
        if (m <= 1)
        {
            if (m == 1) for (int i = 0; i < lp.Length; i++) lp[i] = uu[i];
            hp.Clear();
            return Output;
        }
        for (int i = 0; i < lp.Length; i++)
        {
            double l = lp[i] + _a * (uu[i] - lp[i]);
            lp[i] = l;
            hp[i] = (float)(uu[i] - l);
        }
        return Output;
    }
}
