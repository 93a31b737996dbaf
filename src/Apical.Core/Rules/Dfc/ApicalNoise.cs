using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The apical noise of one layer (spec 5.3): standard normals ξ from the counter-based generator keyed by
/// (seed, layer, mini-batch serial, Noise), drawn in step order, so the values depend only on the batch and step.
/// White: increment σ √dt / τ_fb · ξ. Low-pass: ε ← (1 − a) ε + (a / √dt) ξ, increment σ ε (a = dt / τ_ε).
/// </summary>
internal sealed class ApicalNoise
{
    private readonly ulong _seed;
    private readonly int _node;
    private readonly float[] _xi;
    private readonly float[] _eps;
    private readonly float[] _scratch;
    private CounterRng _rng;
    private NoiseKind _kind;
    private float _gain;  // white: σ √dt / τ_fb; low-pass: σ
    private float _decay; // low-pass: 1 − a
    private float _drive; // low-pass: a / √dt

    public ApicalNoise(ulong seed, int node, int capacity)
    {
        _seed = seed;
        _node = node;
        _xi = new float[capacity];
        _eps = new float[capacity];
        _scratch = new float[3 * ((capacity + 1) / 2)];
    }

    public bool Active => _kind != NoiseKind.None && _gain != 0;

    /// <summary>Low-pass state ε (diagnostics and tests).</summary>
    public ReadOnlySpan<float> State => _eps;

    /// <summary>Starts a mini-batch: ε = 0 and a fresh stream for this batch.</summary>
    public void Begin(PhaseConstants c, double sigma, long batchSerial, int length)
    {
        _kind = c.Noise;
        _rng = CounterRng.For(_seed, _node, batchSerial, RngPurpose.Noise);
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
        var xi = _xi.AsSpan(0, vfb.Length);
        GaussianFill.Fill(ref _rng, xi, _scratch);
        if (_kind == NoiseKind.White)
        {
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(xi, _gain, vfb, vfb);
            return;
        }
        var eps = _eps.AsSpan(0, vfb.Length);
        for (int i = 0; i < eps.Length; i++)
        {
            float e = _decay * eps[i] + _drive * xi[i];
            eps[i] = e;
            vfb[i] += _gain * e;
        }
    }
}
