namespace Apical.Core.Data.Streams;

/// <summary>Input of the LagNet task (GLE paper Fig. 6): x(t) = sin(0.49 t) + sin(1.07 t) + sin(1.98 t), t = k dt,
/// the same value in every row.</summary>
public sealed class LagNetTask : IStreamTask
{
    public static readonly double[] Frequencies = [0.49, 1.07, 1.98];
    private readonly double _dt;

    public LagNetTask(double dt, int rows = 1)
    {
        if (rows < 1) throw new ArgumentException($"LagNet needs at least one row, got {rows}");
        _dt = dt;
        Rows = rows;
    }

    public int Width => 1;
    public int Rows { get; }

    public static double Value(double t) => Math.Sin(0.49 * t) + Math.Sin(1.07 * t) + Math.Sin(1.98 * t);

    public void Fill(long step, Tensor x)
    {
        float v = (float)Value(step * _dt);
        x.Span.Fill(v);
    }
}
