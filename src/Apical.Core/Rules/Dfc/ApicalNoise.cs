using System.Numerics;
using System.Runtime.InteropServices;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The apical noise of one layer (spec 5.3): standard normals ξ from the counter-based generator keyed by
/// (seed, layer, mini-batch serial, Noise). Step s of a mini-batch with n = rows × width values uses the Philox blocks
/// s·m … s·m + m − 1 of that stream (m = <see cref="NormalBlocks.BlockCount"/>(n)) in the layout of
/// <see cref="NormalBlocks"/>, so ξ is a pure function of (seed, layer, batch serial, step, element) and has the same
/// bits on every CPU, whatever its vector width.
/// White: increment σ √dt / τ_fb · ξ. Low-pass: ε ← (1 − a) ε + (a / √dt) ξ, increment σ ε (a = dt / τ_ε).
/// The element-wise updates use separate multiplies and adds (no fused multiply-add), also width-independent.
/// </summary>
internal sealed class ApicalNoise
{
    private readonly ulong _seed;
    private readonly int _node;
    private readonly float[] _xi;
    private readonly float[] _eps;
    private CounterRng _rng;
    private ulong _batchStart;
    private NoiseKind _kind;
    private float _gain;  // white: σ √dt / τ_fb; low-pass: σ
    private float _decay; // low-pass: 1 − a
    private float _drive; // low-pass: a / √dt

    public ApicalNoise(ulong seed, int node, int capacity)
    {
        _seed = seed;
        _node = node;
        _xi = new float[4 * NormalBlocks.BlockCount(capacity)];
        _eps = new float[capacity];
    }

    public bool Active => _kind != NoiseKind.None && _gain != 0;

    /// <summary>Low-pass state ε (diagnostics and tests).</summary>
    public ReadOnlySpan<float> State => _eps;

    /// <summary>Starts a mini-batch: ε = 0 and a fresh stream for this batch.</summary>
    public void Begin(PhaseConstants c, double sigma, long batchSerial, int length)
    {
        _kind = c.Noise;
        _rng = CounterRng.For(_seed, _node, batchSerial, RngPurpose.Noise);
        _batchStart = _rng.Counter;
        Array.Clear(_eps, 0, length);
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

    /// <summary>Adds one step of noise to <paramref name="vfb"/> (length = rows × width).</summary>
    public void AddTo(Span<float> vfb)
    {
        if (!Active) return;
        int m = NormalBlocks.BlockCount(vfb.Length);
        if (_rng.Counter - _batchStart > (1UL << 32) - (ulong)m)
            throw new InvalidOperationException(
                $"apical noise of node {_node}: more steps in one mini-batch than its 2^32-block stream holds ({m} blocks per step)");
        _rng.FillNormalBlocks(_xi.AsSpan(0, 4 * m));
        var xi = _xi.AsSpan(0, vfb.Length);
        if (_kind == NoiseKind.White) AddScaled(vfb, xi, _gain);
        else LowPass(vfb, _eps.AsSpan(0, vfb.Length), xi, _decay, _drive, _gain);
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
