using Apical.Core.Numerics;

namespace Apical.Core.Data.Streams;

/// <summary>
/// Input of the LagLine chain task (GLE paper Fig. 5): a square wave of −1 with +1 on steps [s_j, s_j + 200),
/// s_j = ⌊jN/M⌋, M = ⌊N/400⌋, over N steps; each row circularly shifted by its own integer in [0, 199]
/// and then smoothed along time by a Gaussian of σ = 5 steps (radius 20, half-sample reflect boundary).
/// Values are computed on the fly per step.
/// </summary>
public sealed class LagLineTask : IStreamTask
{
    public const int Length = 405_000;
    public const int Radius = 20;
    private readonly bool[] _high;
    private readonly int[] _shift;
    private readonly double[] _w = new double[2 * Radius + 1];
    private readonly double[] _smoothCircular; // the smoothed unshifted wave away from the sequence ends

    public LagLineTask(int rows, ulong seed, int length = Length)
    {
        N = length;
        _high = new bool[N];
        int m = N / 400;
        for (int j = 0; j <= m; j++)
        {
            long s = (long)j * N / m;
            for (long k = s; k < Math.Min(s + 200, N); k++) _high[k] = true;
        }
        _shift = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var rng = CounterRng.For(seed, 0, r, RngPurpose.Data);
            _shift[r] = (int)(((ulong)rng.NextUInt() * 200UL) >> 32);
        }
        double total = 0;
        for (int i = -Radius; i <= Radius; i++) total += _w[i + Radius] = Math.Exp(-i * i / 50.0);
        for (int i = 0; i < _w.Length; i++) _w[i] /= total;
        _smoothCircular = new double[N];
        for (int p = 0; p < N; p++)
        {
            double acc = 0;
            for (int i = -Radius; i <= Radius; i++) acc += _w[i + Radius] * (_high[((p + i) % N + N) % N] ? 1.0 : -1.0);
            _smoothCircular[p] = acc;
        }
    }

    public int N { get; }
    public int Width => 1;
    public int Rows => _shift.Length;
    public ReadOnlySpan<int> Shifts => _shift;

    public void Fill(long step, Tensor x)
    {
        if (x.Rows != _shift.Length || x.Cols != 1)
            throw new ArgumentException($"LagLine fills {_shift.Length} x 1, got {x}");
        int k = (int)(step % N);
        bool interior = k >= Radius && k < N - Radius;
        for (int r = 0; r < _shift.Length; r++)
        {
            if (interior)
            {
                // Away from the ends the reflect boundary is not reached: smoothing commutes with the shift.
                x[r, 0] = (float)_smoothCircular[((k - _shift[r]) % N + N) % N];
                continue;
            }
            double acc = 0;
            for (int i = -Radius; i <= Radius; i++)
            {
                int m = Mnist1dGenerator.Reflect(k + i, N);
                int src = ((m - _shift[r]) % N + N) % N;
                acc += _w[i + Radius] * (_high[src] ? 1.0 : -1.0);
            }
            x[r, 0] = (float)acc;
        }
    }
}
