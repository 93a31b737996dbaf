using System.Numerics;
using System.Runtime.InteropServices;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The apical noise of one layer (spec 5.3): standard normals ξ from the counter-based generator, one stream per
/// (seed, layer, mini-batch serial, sample row): row r of a mini-batch draws its n values of step s from the Philox
/// blocks s·m … s·m + m − 1 of its own stream (m = <see cref="NormalBlocks.BlockCount"/>(n)) in the layout of
/// <see cref="NormalBlocks"/>. So ξ is a pure function of (seed, layer, batch serial, row, step, neuron): the same bits
/// on every CPU, whatever its vector width, and whichever rows a layer holds, so a mini-batch split into row halves
/// (<see cref="RowSplitSweep"/>, the second half from row offset h) draws exactly the noise of the whole batch.
/// White: increment σ √dt / τ_fb · ξ. Low-pass: ε ← (1 − a) ε + (a / √dt) ξ, increment σ ε (a = dt / τ_ε).
/// The element-wise updates use separate multiplies and adds (no fused multiply-add), also width-independent.
/// </summary>
internal sealed class ApicalNoise
{
    private readonly ulong _seed;
    private readonly int _node;
    private readonly int _width;
    private readonly int _blocks; // m: Philox blocks per row and step
    private readonly float[] _xi;
    private readonly float[] _eps;
    private long _batchSerial;
    private int _rowOffset;
    private long _step;
    private NoiseKind _kind;
    private float _gain;  // white: σ √dt / τ_fb; low-pass: σ
    private float _decay; // low-pass: 1 − a
    private float _drive; // low-pass: a / √dt

    /// <param name="width">n, the values per row (the layer's width).</param>
    /// <param name="rows">the most rows of a mini-batch.</param>
    public ApicalNoise(ulong seed, int node, int width, int rows)
    {
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"noise width {width} must be positive");
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _seed = seed;
        _node = node;
        _width = width;
        _blocks = NormalBlocks.BlockCount(width);
        _xi = new float[4 * _blocks];
        _eps = new float[width * rows];
    }

    public bool Active => _kind != NoiseKind.None && _gain != 0;

    /// <summary>Low-pass state ε (diagnostics and tests).</summary>
    public ReadOnlySpan<float> State => _eps;

    /// <summary>Starts a mini-batch: ε = 0 and fresh streams for this batch; the layer holds <paramref name="rows"/>
    /// rows, the first of them row <paramref name="rowOffset"/> of the mini-batch.</summary>
    public void Begin(PhaseConstants c, double sigma, long batchSerial, int rows, int rowOffset = 0)
    {
        if (rows < 0 || rows * _width > _eps.Length)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows of noise, capacity {_eps.Length / _width}");
        ArgumentOutOfRangeException.ThrowIfNegative(rowOffset);
        if (batchSerial < 0 || batchSerial > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(batchSerial), $"batch serial {batchSerial} is outside [0, 2^32)");
        _kind = c.Noise;
        _batchSerial = batchSerial;
        _rowOffset = rowOffset;
        _step = 0;
        Array.Clear(_eps, 0, rows * _width);
        switch (_kind)
        {
            case NoiseKind.White:
                _gain = (float)(sigma * Math.Sqrt(c.Dt) / c.TauFb);
                break;
            case NoiseKind.LowPass:
                double a = c.Dt / c.TauNoise;
                _gain = (float)sigma;
                _decay = (float)(1 - a);
                _drive = (float)(a / Math.Sqrt(c.Dt));
                break;
            default:
                _gain = 0;
                break;
        }
    }

    /// <summary>Adds one step of noise to <paramref name="vfb"/> (rows × width, the rows of <see cref="Begin"/>).</summary>
    public void AddTo(Span<float> vfb)
    {
        if (!Active) return;
        if (vfb.Length % _width != 0 || vfb.Length > _eps.Length)
            throw new ArgumentException($"apical noise of node {_node}: {vfb.Length} values are not whole rows of {_width} within the capacity");
        ulong start = (ulong)_step * (ulong)_blocks;
        if (start > (1UL << 32) - (ulong)_blocks)
            throw new InvalidOperationException(
                $"apical noise of node {_node}: more steps in one mini-batch than a row's 2^32-block stream holds ({_blocks} blocks per step)");
        int rows = vfb.Length / _width;
        var xi = _xi.AsSpan(0, _width);
        for (int r = 0; r < rows; r++)
        {
            var rng = CounterRng.ForRow(_seed, _node, _batchSerial, RngPurpose.Noise, _rowOffset + r, start);
            rng.FillNormalBlocks(_xi);
            var v = vfb.Slice(r * _width, _width);
            if (_kind == NoiseKind.White) AddScaled(v, xi, _gain);
            else LowPass(v, _eps.AsSpan(r * _width, _width), xi, _decay, _drive, _gain);
        }
        _step++;
    }

    /// <summary>v += g ξ.</summary>
    private static void AddScaled(Span<float> v, ReadOnlySpan<float> xi, float g)
    {
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        var vx = MemoryMarshal.Cast<float, Vector<float>>(xi);
        var vg = new Vector<float>(g);
        for (int i = 0; i < vv.Length; i++) vv[i] += vg * vx[i];
        for (int i = vv.Length * Vector<float>.Count; i < v.Length; i++) v[i] += g * xi[i];
    }

    /// <summary>ε ← d ε + k ξ, v += g ε.</summary>
    private static void LowPass(Span<float> v, Span<float> eps, ReadOnlySpan<float> xi, float d, float k, float g)
    {
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        var ve = MemoryMarshal.Cast<float, Vector<float>>(eps);
        var vx = MemoryMarshal.Cast<float, Vector<float>>(xi);
        Vector<float> vd = new(d), vk = new(k), vg = new(g);
        for (int i = 0; i < vv.Length; i++)
        {
            var e = vd * ve[i] + vk * vx[i];
            ve[i] = e;
            vv[i] += vg * e;
        }
        for (int i = vv.Length * Vector<float>.Count; i < v.Length; i++)
        {
            float e = d * eps[i] + k * xi[i];
            eps[i] = e;
            v[i] += g * e;
        }
    }
}
