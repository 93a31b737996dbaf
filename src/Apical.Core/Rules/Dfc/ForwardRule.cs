using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The forward-weight rule of one layer (spec section 8), accumulated online:
/// g_W = −(2/(B T)) Σ_k Σ_b s[k] p[k]ᵀ, g_b = −(2/(B T)) Σ_k Σ_b s[k] (continuous), or the last step only with
/// 2/B (steady state). s is the teaching signal, p the rate that produced v^ff[k].
/// <para>
/// Layers after the first stack <see cref="ChunkSteps"/> steps of the two terms of s (the rate or voltage, and v^ff,
/// rows copied as they come, chunk·B × n_l) and of p (written straight into the GEMM's packed panel layout). Just
/// before the product s is formed from the stacked terms (s = a − φ(v^ff), the same element-wise arithmetic as step by
/// step), transposed in 8 × 8 blocks, and multiplied in one GEMM whose inner dimension is
/// chunk × B, accumulating in float32 for <see cref="FlushSteps"/> steps before adding the partial
/// sum into float64 accumulators. The first layer's presynaptic rate is the constant input x, so it only sums s
/// over the steps (float32 partial sums flushed into float64 the same way) and forms one outer product at the end.
/// </para>
/// <para>
/// With <see cref="UseWorkerThreads"/> (large layers, more than one processor) the chunk stacks are double-buffered and
/// each full chunk's teaching signal, transposition and GEMM run on a <see cref="ChunkWorker"/> while the dynamics go
/// on (the dynamics are the critical path: a step of layer l needs layer l − 1's new rate); chunks are still multiplied one
/// at a time in step order, so the result is bit-identical to the single-threaded path.
/// </para>
/// </summary>
internal sealed class ForwardRule
{
    private readonly int _in, _out;
    private readonly bool _constantInput;
    private readonly Tensor[] _sRows;        // chunk stacks of a (φ(v) or v) as they come, then s: (chunk·B) × out, double-buffered
    private readonly Tensor[] _ffRows;       // chunk stacks of v^ff: (chunk·B) × out, double-buffered
    private readonly TeachingTerms[] _termsOf; // per stack: how s is formed from its terms
    private readonly Tensor _sT;             // the chunk being multiplied, transposed: out × (chunk·B)
    private readonly PackedMatrix?[] _pPacked; // chunk stacks of p, (chunk·B) × in, in packed panels
    private readonly bool _hasWorker;
    private bool _useWorker; // this mini-batch: _hasWorker unless the caller asked for the calling thread only
    private ChunkWorker? _worker; // started with the first chunk (a graph built only to host another node never starts it)
    private int _cur, _jobBuffer, _jobUsed;
    private readonly int _stackRows, _unit, _capacity;
    private int _chunk; // steps per chunk in the current mini-batch
    private readonly Tensor _product;    // out × in, float32 partial sum since the last flush
    private readonly float[] _partialB;  // out, float32 partial bias sum
    private readonly double[] _accW, _accB;
    private readonly double[] _sumS;     // constant input: Σ_k s[k], B × out
    private readonly float[] _partialS;  // constant input: float32 partial sum since the last flush
    private readonly Tensor _sumSf;
    private int _filled, _rows, _terms, _sincePartialFlush;
    private bool _productHolds;

    /// <summary>Steps summed in float32 before a float64 flush.</summary>
    public const int FlushSteps = 64;

    /// <summary>Run the chunk GEMMs of large layers on a background thread (process-wide; read at construction).</summary>
    public static bool UseWorkerThreads { get; set; } = true;

    /// <param name="batchCapacity">the largest mini-batch that learns (evaluation batches never reach the rule).</param>
    /// <param name="allowWorker">false keeps every GEMM on the calling thread whatever <see cref="UseWorkerThreads"/> says.</param>
    /// <param name="trainingRows">the usual rows B of a learning mini-batch (default: the capacity): a chunk stacks
    /// ⌈256 / B⌉ steps of up to B rows; a larger batch (a probe) stacks as many steps as fit.</param>
    public ForwardRule(int inSize, int outSize, int batchCapacity, bool constantInput, bool allowWorker = true, int? trainingRows = null)
    {
        _in = inSize;
        _out = outSize;
        _constantInput = constantInput;
        _unit = Math.Clamp(trainingRows ?? batchCapacity, 1, batchCapacity);
        _capacity = batchCapacity;
        ChunkSteps = Math.Max(1, (256 + _unit - 1) / _unit);
        _stackRows = Math.Max(ChunkSteps * _unit, batchCapacity);
        bool worker = !constantInput && allowWorker && UseWorkerThreads && Environment.ProcessorCount > 1 && inSize * outSize >= 32_768;
        int buffers = worker ? 2 : 1;
        _sRows = new Tensor[buffers];
        _ffRows = new Tensor[buffers];
        _termsOf = new TeachingTerms[buffers];
        _sT = new Tensor(constantInput ? 0 : outSize, _stackRows);
        _pPacked = new PackedMatrix?[buffers];
        for (int i = 0; i < buffers; i++)
        {
            _sRows[i] = new Tensor(constantInput ? 0 : _stackRows, outSize);
            _ffRows[i] = new Tensor(constantInput ? 0 : _stackRows, outSize);
            if (!constantInput) _pPacked[i] = PackedMatrix.ForB(new Tensor(_stackRows, inSize));
        }
        _hasWorker = worker;
        _product = new Tensor(outSize, inSize);
        _accW = new double[outSize * inSize];
        _accB = new double[outSize];
        _partialB = new float[outSize];
        _sumS = constantInput ? new double[batchCapacity * outSize] : Array.Empty<double>();
        _partialS = constantInput ? new float[batchCapacity * outSize] : Array.Empty<float>();
        _sumSf = new Tensor(constantInput ? batchCapacity : 0, outSize);
        WeightGradient = new Tensor(outSize, inSize);
        BiasGradient = new Tensor(1, outSize);
    }

    public int ChunkSteps { get; }

    /// <summary>Terms (steps) accumulated in the current mini-batch.</summary>
    public int Terms => _terms;

    public Tensor WeightGradient { get; }
    public Tensor BiasGradient { get; }

    /// <param name="callingThreadOnly">multiply every chunk on the calling thread in this mini-batch (when the caller keeps
    /// the other cores busy itself); the same bits as with the worker.</param>
    public void Begin(int rows, bool callingThreadOnly = false)
    {
        _worker?.WaitIdle();
        if (rows < 1 || rows > _capacity) throw new ArgumentOutOfRangeException(nameof(rows), $"a learning mini-batch of {rows} rows; the forward rule holds 1..{_capacity}");
        _rows = rows;
        _useWorker = _hasWorker && !callingThreadOnly;
        // ⌈256 / rows⌉ steps per chunk (the GEMM's inner dimension ≈ 256), as many as the stacks hold
        _chunk = rows == _unit ? ChunkSteps : Math.Max(1, Math.Min(_stackRows / rows, (256 + rows - 1) / rows));
        _filled = 0;
        _cur = 0;
        _terms = 0;
        _sincePartialFlush = 0;
        _productHolds = false;
        Array.Clear(_accW);
        Array.Clear(_accB);
        Array.Clear(_partialB);
        if (_constantInput)
        {
            Array.Clear(_sumS, 0, rows * _out);
            Array.Clear(_partialS, 0, rows * _out);
        }
    }

    /// <summary>First layer (constant input): adds one step's teaching signal <paramref name="s"/> (B × out).</summary>
    public void Add(Tensor s)
    {
        if (!_constantInput) throw new InvalidOperationException("a layer with a changing input adds the terms of s and its presynaptic rate");
        _terms++;
        var part = _partialS.AsSpan(0, _rows * _out);
        System.Numerics.Tensors.TensorPrimitives.Add(part, s.ReadOnlySpan, part);
        if (++_sincePartialFlush == FlushSteps) FlushPartial();
    }

    /// <summary>
    /// Other layers: adds one step given the terms of the teaching signal, s = <paramref name="a"/> − φ(<paramref name="vff"/>)
    /// as <paramref name="terms"/> says (both B × out), and the presynaptic rate <paramref name="p"/> (B × in). s is
    /// formed when the chunk is multiplied, with the same element-wise arithmetic as a step-by-step subtraction.
    /// </summary>
    public void Add(Tensor a, Tensor vff, Tensor p, TeachingTerms terms)
    {
        if (_constantInput) throw new InvalidOperationException("the first layer adds its teaching signal only");
        if (_filled == 0) _termsOf[_cur] = terms;
        else if (!ReferenceEquals(terms, _termsOf[_cur])) throw new InvalidOperationException("the teaching-signal form changed within a chunk");
        _terms++;
        int n = _rows * _out;
        int col0 = _filled * _rows;
        Stack(a.ReadOnlySpan.Slice(0, n), _sRows[_cur].Data.AsSpan(col0 * _out, n));
        Stack(vff.ReadOnlySpan.Slice(0, n), _ffRows[_cur].Data.AsSpan(col0 * _out, n));
        WritePacked(p, col0);
        if (++_filled == _chunk) SubmitChunk();
    }

    /// <summary>Writes into a chunk stack: with non-temporal stores when the worker (another core) reads it, so the stacks
    /// do not push the weights out of this core's cache; with plain stores when this thread multiplies it itself.</summary>
    private void Stack(ReadOnlySpan<float> src, Span<float> dst)
    {
        if (_useWorker) StreamingCopy.Copy(src, dst);
        else src.CopyTo(dst);
    }

    /// <summary>Hands the current chunk to the worker (or multiplies it here) and switches buffers.</summary>
    private void SubmitChunk()
    {
        if (_filled == 0) return;
        int used = _filled * _rows;
        _filled = 0;
        if (!_useWorker)
        {
            MultiplyChunk(0, used);
            return;
        }
        _worker ??= new ChunkWorker(() => MultiplyChunk(_jobBuffer, _jobUsed));
        _worker.WaitIdle();
        _jobBuffer = _cur;
        _jobUsed = used;
        StreamingCopy.Fence(); // the stacks were written with non-temporal stores
        _worker.Start();
        _cur ^= 1;
    }

    /// <summary>Copies the rows of p into rows [first, first + B) of the packed right operand (32-column panels).</summary>
    private void WritePacked(Tensor p, int first)
    {
        var packed = _pPacked[_cur]!;
        var buf = packed.Buffer;
        int off = packed.Offset;
        const int W = PackedMatrix.PanelWidth;
        int panelStride = _stackRows * W;
        var src = p.ReadOnlySpan;
        for (int b = 0; b < _rows; b++)
        {
            var row = src.Slice(b * _in, _in);
            int baseRow = off + (first + b) * W;
            for (int q = 0, c = 0; c < _in; q++, c += W)
            {
                int w = Math.Min(W, _in - c);
                Stack(row.Slice(c, w), buf.AsSpan(baseRow + q * panelStride, w));
            }
        }
    }

    /// <summary>Adds a stacked chunk's Sᵀ P (and its column sums) to the float32 partial sums (worker or caller thread).</summary>
    private void MultiplyChunk(int buffer, int used)
    {
        var sT = _sT;
        var sRows = _sRows[buffer].Data.AsSpan(0, used * _out);
        _termsOf[buffer].Form(sRows, _ffRows[buffer].Data.AsSpan(0, used * _out));
        Transpose.Into(sRows, used, _out, sT.Data, _stackRows);
        if (used < _stackRows)
            for (int j = 0; j < _out; j++) sT.Data.AsSpan(j * _stackRows + used, _stackRows - used).Clear(); // unused columns add 0
        Gemm.MatMul(sT, _pPacked[buffer]!, _product, accumulate: _productHolds);
        _productHolds = true;
        for (int j = 0; j < _out; j++) _partialB[j] += System.Numerics.Tensors.TensorPrimitives.Sum<float>(sT.Data.AsSpan(j * _stackRows, used));
        _sincePartialFlush += used / _rows;
        if (_sincePartialFlush >= FlushSteps) FlushPartial();
    }

    /// <summary>Moves the float32 partial sums into the float64 accumulators.</summary>
    private void FlushPartial()
    {
        if (_constantInput)
        {
            var part = _partialS.AsSpan(0, _rows * _out);
            var acc = _sumS.AsSpan(0, part.Length);
            for (int i = 0; i < part.Length; i++) acc[i] += part[i];
            part.Clear();
        }
        else if (_productHolds)
        {
            var prod = _product.ReadOnlySpan;
            for (int i = 0; i < _accW.Length; i++) _accW[i] += prod[i];
            for (int j = 0; j < _out; j++) _accB[j] += _partialB[j];
            Array.Clear(_partialB);
            _productHolds = false;
        }
        _sincePartialFlush = 0;
    }

    /// <summary>
    /// Adds the sums of <paramref name="other"/>, which learned from the other rows of the same mini-batch over the same
    /// steps (a row-split simulation, <see cref="RowSplitSweep"/>); both must be done adding. Its rows count after this
    /// rule's: the first layer appends its per-sample sums, so <see cref="Finish"/> then takes the whole batch's input.
    /// </summary>
    internal void Absorb(ForwardRule other)
    {
        if (other._in != _in || other._out != _out || other._constantInput != _constantInput)
            throw new ArgumentException($"forward rules of different layers ({other._out}×{other._in} into {_out}×{_in})");
        if (other._terms != _terms)
            throw new InvalidOperationException($"the other rows summed {other._terms} steps, these {_terms}");
        if (_rows + other._rows > _capacity)
            throw new InvalidOperationException($"{_rows} + {other._rows} rows exceed the forward rule's {_capacity}");
        Flush();
        other.Flush();
        if (_constantInput)
            other._sumS.AsSpan(0, other._rows * _out).CopyTo(_sumS.AsSpan(_rows * _out));
        else
        {
            for (int i = 0; i < _accW.Length; i++) _accW[i] += other._accW[i];
            for (int j = 0; j < _out; j++) _accB[j] += other._accB[j];
        }
        _rows += other._rows;
    }

    /// <summary>Multiplies the open chunk and moves every partial sum into the float64 accumulators.</summary>
    private void Flush()
    {
        if (!_constantInput)
        {
            SubmitChunk();
            _worker?.WaitIdle();
        }
        FlushPartial();
    }

    /// <summary>Forms g_W, g_b from the accumulators. <paramref name="input"/> is x for the first layer.</summary>
    public void Finish(Tensor? input, int totalSteps, ForwardVariant variant)
    {
        double scale = variant == ForwardVariant.Continuous ? -2.0 / (_rows * (double)totalSteps) : -2.0 / _rows;
        if (_constantInput)
        {
            FlushPartial();
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
        SubmitChunk();
        _worker?.WaitIdle();
        FlushPartial();
        var gw = WeightGradient.Span;
        for (int i = 0; i < gw.Length; i++) gw[i] = (float)(scale * _accW[i]);
        var gbias = BiasGradient.Span;
        for (int j = 0; j < _out; j++) gbias[j] = (float)(scale * _accB[j]);
    }
}
