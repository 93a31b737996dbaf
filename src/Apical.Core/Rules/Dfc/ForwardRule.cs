using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The forward-weight rule of one layer (spec section 8), accumulated online:
/// g_W = −(2/(B T)) Σ_k Σ_b s[k] p[k]ᵀ, g_b = −(2/(B T)) Σ_k Σ_b s[k] (continuous), or the last step only with
/// 2/B (steady state). s is the teaching signal, p the rate that produced v^ff[k].
/// <para>
/// Hidden layers stack <see cref="ChunkSteps"/> steps of s and p and form their product in one GEMM whose inner
/// dimension is chunk × B, then add it into float64 accumulators. The first layer's presynaptic rate is the
/// constant input x, so it only sums s over the steps (float64) and forms one outer product at the end.
/// </para>
/// </summary>
internal sealed class ForwardRule
{
    private readonly int _in, _out;
    private readonly bool _constantInput;
    private readonly Tensor _s, _p;      // chunk stacks (chunk·B rows)
    private readonly Tensor _product;    // out × in
    private readonly double[] _accW, _accB;
    private readonly double[] _sumS;     // constant input: Σ_k s[k], B × out
    private readonly Tensor _sumSf;
    private int _filled, _rows, _terms;

    public ForwardRule(int inSize, int outSize, int batchCapacity, bool constantInput)
    {
        _in = inSize;
        _out = outSize;
        _constantInput = constantInput;
        ChunkSteps = Math.Max(1, (256 + batchCapacity - 1) / batchCapacity);
        if (!constantInput)
        {
            _s = new Tensor(ChunkSteps * batchCapacity, outSize);
            _p = new Tensor(ChunkSteps * batchCapacity, inSize);
        }
        else
        {
            _s = new Tensor(0, outSize);
            _p = new Tensor(0, inSize);
        }
        _product = new Tensor(outSize, inSize);
        _accW = new double[outSize * inSize];
        _accB = new double[outSize];
        _sumS = constantInput ? new double[batchCapacity * outSize] : Array.Empty<double>();
        _sumSf = new Tensor(constantInput ? batchCapacity : 0, outSize);
        WeightGradient = new Tensor(outSize, inSize);
        BiasGradient = new Tensor(1, outSize);
    }

    public int ChunkSteps { get; }

    /// <summary>Terms (steps) accumulated in the current mini-batch.</summary>
    public int Terms => _terms;

    public Tensor WeightGradient { get; }
    public Tensor BiasGradient { get; }

    public void Begin(int rows)
    {
        _rows = rows;
        _filled = 0;
        _terms = 0;
        Array.Clear(_accW);
        Array.Clear(_accB);
        if (_constantInput) Array.Clear(_sumS, 0, rows * _out);
    }

    /// <summary>Adds one step: teaching signal <paramref name="s"/> (B × out) and presynaptic rate <paramref name="p"/>
    /// (B × in; ignored for the first layer, whose input is constant).</summary>
    public void Add(Tensor s, Tensor? p)
    {
        _terms++;
        int n = _rows * _out;
        var src = s.ReadOnlySpan;
        if (_constantInput)
        {
            var acc = _sumS.AsSpan(0, n);
            for (int i = 0; i < n; i++) acc[i] += src[i];
            return;
        }
        src.CopyTo(_s.Data.AsSpan(_filled * n, n));
        p!.ReadOnlySpan.Slice(0, _rows * _in).CopyTo(_p.Data.AsSpan(_filled * _rows * _in, _rows * _in));
        if (++_filled == ChunkSteps) Flush();
    }

    private void Flush()
    {
        if (_filled == 0) return;
        _s.SetRows(_filled * _rows);
        _p.SetRows(_filled * _rows);
        Gemm.MatMulTransA(_s, _p, _product);
        var prod = _product.ReadOnlySpan;
        for (int i = 0; i < _accW.Length; i++) _accW[i] += prod[i];
        var sd = _s.ReadOnlySpan;
        for (int r = 0; r < _filled * _rows; r++)
        {
            var row = sd.Slice(r * _out, _out);
            for (int j = 0; j < _out; j++) _accB[j] += row[j];
        }
        _filled = 0;
    }

    /// <summary>Forms g_W, g_b from the accumulators. <paramref name="input"/> is x for the first layer.</summary>
    public void Finish(Tensor? input, int totalSteps, ForwardVariant variant)
    {
        double scale = variant == ForwardVariant.Continuous ? -2.0 / (_rows * (double)totalSteps) : -2.0 / _rows;
        if (_constantInput)
        {
            _sumSf.SetRows(_rows);
            var sf = _sumSf.Span;
            for (int i = 0; i < sf.Length; i++) sf[i] = (float)_sumS[i];
            var x = input!;
            if (x.Rows != _rows) throw new InvalidOperationException($"input has {x.Rows} rows, the batch {_rows}");
            Gemm.MatMulTransA(_sumSf, x, WeightGradient, accumulate: false, alpha: (float)scale);
            var gb = BiasGradient.Span;
            for (int j = 0; j < _out; j++)
            {
                double sum = 0;
                for (int r = 0; r < _rows; r++) sum += _sumS[r * _out + j];
                gb[j] = (float)(scale * sum);
            }
            return;
        }
        Flush();
        var gw = WeightGradient.Span;
        for (int i = 0; i < gw.Length; i++) gw[i] = (float)(scale * _accW[i]);
        var gbias = BiasGradient.Span;
        for (int j = 0; j < _out; j++) gbias[j] = (float)(scale * _accB[j]);
    }
}
