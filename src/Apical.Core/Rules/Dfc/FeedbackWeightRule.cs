using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The feedback-weight (Q) rule of one layer (spec sections 9 and 10):
/// g_Q = s_l / (P B σ̂²) · Σ_k Σ_b v^fb[k] u'[k + d]ᵀ, where u' is the control (DFC sleep) or its high-pass
/// filtered version (Strong-DFC), d the pairing delay (1 under the sweep), P the number of pairs formed and
/// σ̂ = max(σ, 0.01). The layer keeps a ring of its last d + 1 apical vectors; each control value arriving with
/// index m is paired with v^fb[m − d].
/// </summary>
internal sealed class FeedbackWeightRule
{
    private const double SigmaFloor = 0.01;
    private readonly int _n, _nL;
    private readonly Tensor[] _ring;
    private readonly long[] _ringIndex;
    private readonly StrongDfc.HighPassFilter _highPass;
    private readonly Tensor _product;            // n × nL
    private readonly double[] _acc;
    private int _rows, _delay, _pairs;
    private bool _highPassOn;
    private double _scale;

    public FeedbackWeightRule(int n, int nL, int batchCapacity, int maxDelay)
    {
        _n = n;
        _nL = nL;
        _ring = new Tensor[maxDelay + 1];
        for (int i = 0; i < _ring.Length; i++) _ring[i] = new Tensor(batchCapacity, n);
        _ringIndex = new long[_ring.Length];
        _highPass = new StrongDfc.HighPassFilter(batchCapacity, nL);
        _product = new Tensor(n, nL);
        _acc = new double[n * nL];
        Gradient = new Tensor(n, nL);
    }

    public Tensor Gradient { get; }

    /// <summary>Pairs formed in the current mini-batch (P).</summary>
    public int Pairs => _pairs;

    /// <summary>The last high-pass filtered control (tests).</summary>
    public Tensor HighPass => _highPass.Output;

    /// <param name="delay">d, the pairing delay.</param>
    /// <param name="sigma">the noise scale of this layer in this phase (floored at 0.01).</param>
    /// <param name="layerScale">s_l.</param>
    public void Begin(int rows, int delay, double sigma, double layerScale, bool highPass, double a)
    {
        if (delay < 1 || delay >= _ring.Length)
            throw new ArgumentOutOfRangeException(nameof(delay), $"pairing delay {delay} outside [1, {_ring.Length - 1}]");
        _rows = rows;
        _delay = delay;
        _pairs = 0;
        _highPassOn = highPass;
        double s = Math.Max(sigma, SigmaFloor);
        _scale = layerScale / (s * s);
        Array.Clear(_acc);
        for (int i = 0; i < _ring.Length; i++) { _ringIndex[i] = -1; _ring[i].SetRows(rows); }
        if (highPass) _highPass.Begin(rows, _nL, a);
    }

    /// <summary>Stores v^fb[j] (B × n).</summary>
    public void RecordApical(Tensor vfb, long j)
    {
        int slot = (int)(j % _ring.Length);
        vfb.ReadOnlySpan.CopyTo(_ring[slot].Span);
        _ringIndex[slot] = j;
    }

    /// <summary>Receives the control u[m] and forms the pair (v^fb[m − d], u'[m]) when it exists.</summary>
    public void ObserveControl(Tensor u, long m)
    {
        Tensor paired = _highPassOn ? _highPass.Apply(u, m) : u;
        long j = m - _delay;
        if (j < 0) return;
        int slot = (int)(j % _ring.Length);
        if (_ringIndex[slot] != j)
            throw new InvalidOperationException($"apical value of step {j} is no longer held (pairing delay {_delay})");
        _pairs++;
        Gemm.MatMulTransA(_ring[slot], paired, _product);
        var p = _product.ReadOnlySpan;
        for (int i = 0; i < _acc.Length; i++) _acc[i] += p[i];
    }

    /// <summary>
    /// Takes over the sums of <paramref name="other"/>, the same layer's rule over the other rows of the same mini-batch
    /// (a row-split simulation, <see cref="RowSplitSweep"/>): both paired the same steps with the same delay and scale,
    /// so the sum over all rows is the sum of the two, and B counts the rows of both.
    /// </summary>
    public void Absorb(FeedbackWeightRule other)
    {
        if (other._n != _n || other._nL != _nL)
            throw new ArgumentException($"a feedback rule of {other._n} × {other._nL} cannot be absorbed into one of {_n} × {_nL}");
        if (other._pairs != _pairs || other._delay != _delay || other._scale != _scale)
            throw new InvalidOperationException(
                $"the row halves of a mini-batch paired differently ({_pairs} and {other._pairs} pairs, delays {_delay} and {other._delay})");
        for (int i = 0; i < _acc.Length; i++) _acc[i] += other._acc[i];
        _rows += other._rows;
    }

    /// <summary>Forms g_Q = s_l / (P B σ̂²) · accumulator.</summary>
    public void Finish()
    {
        var g = Gradient.Span;
        if (_pairs == 0) { g.Clear(); return; }
        double f = _scale / ((double)_pairs * _rows);
        for (int i = 0; i < g.Length; i++) g[i] = (float)(f * _acc[i]);
    }
}
