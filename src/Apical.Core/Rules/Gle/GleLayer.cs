using System.Numerics.Tensors;
using Apical.Core.Model;
using Apical.Core.Nodes;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// One GLE layer (spec sections 3–8): representation neurons with per-neuron τ_m, τ_r and error neurons with
/// the two swapped, W and b (and optionally τ_m) plastic at every step. Lockstep: step k consumes the rates
/// from below and the feedback (or target) from above stamped k − delay and emits its rate up and Wᵀe down,
/// stamped k. Order within a step follows spec section 6 exactly; everything read comes from before step k.
/// <para>State is never reset. When the batch size of the incoming rates changes (evaluation at another batch
/// size), the state is tiled cyclically (growing) or truncated to its first rows (shrinking), and messages of a
/// different row count are read the same way, row r taking row r mod rows.</para>
/// </summary>
public sealed class GleLayer : INode, IParameterized, ICommandTarget
{
    private readonly GleLayerOptions _o;
    private readonly InputPort[] _inputs;
    private readonly OutputPort[] _outputs;
    private readonly NamedTensor[] _parameters;
    private readonly Tensor _u, _v, _r, _rp;                 // state (B x n)
    private readonly Tensor _e, _eInst, _drive, _uTilde, _uDot; // per-step buffers (B x n)
    private readonly Tensor _inTile, _errTile;               // tiled views of messages of another row count
    private readonly Tensor _scratch;                        // B x n
    private readonly Tensor _biasT, _invTauMT, _rOverMT, _dtOverMT, _mOverRT, _dtOverRT; // per-neuron values tiled over rows
    private int _biasTileRows;                               // rows of _biasT that hold the current bias
    private readonly Tensor _gradW, _gradB, _gradTau;
    private readonly float[] _tauR, _invTauM, _rOverM, _dtOverM, _mOverR, _dtOverR;
    private readonly GleOptimizer? _optW, _optB, _optTau;
    private readonly float _tauMMin;
    private int _rows;

    public GleLayer(GleLayerOptions options)
    {
        _o = options;
        int nIn = options.InSize, n = options.OutSize, cap = options.BatchCapacity;
        if (nIn < 1 || n < 1) throw new ArgumentException($"layer '{options.Name}': sizes must be positive ({nIn} -> {n})");
        if (options.TauM.Length != n || options.TauR.Length != n)
            throw new ArgumentException($"layer '{options.Name}': τ_m and τ_r need {n} values, got {options.TauM.Length} and {options.TauR.Length}");
        for (int j = 0; j < n; j++)
        {
            if (!(options.TauM[j] >= options.Dt)) throw new ArgumentException($"layer '{options.Name}': tauM of neuron {j} is {options.TauM[j]}, must be >= dt = {options.Dt}");
            if (!(options.TauR[j] >= options.Dt)) throw new ArgumentException($"layer '{options.Name}': tauR of neuron {j} is {options.TauR[j]}, must be >= dt = {options.Dt}");
        }
        if (options.BatchSize < 1 || options.BatchSize > cap)
            throw new ArgumentException($"layer '{options.Name}': batch size {options.BatchSize} must lie in [1, {cap}]");

        Weights = new Tensor(n, nIn);
        Bias = new Tensor(1, n);
        TauM = new Tensor(1, n);
        options.TauM.CopyTo(TauM.Span);
        _tauR = (float[])options.TauR.Clone();
        Initialize();

        _u = new Tensor(cap, n); _v = new Tensor(cap, n); _r = new Tensor(cap, n); _rp = new Tensor(cap, n);
        _e = new Tensor(cap, n); _eInst = new Tensor(cap, n); _drive = new Tensor(cap, n);
        _uTilde = new Tensor(cap, n); _uDot = new Tensor(cap, n);
        _inTile = new Tensor(cap, nIn); _errTile = new Tensor(cap, n);
        _scratch = new Tensor(cap, n);
        _biasT = new Tensor(cap, n);
        _invTauMT = new Tensor(cap, n); _rOverMT = new Tensor(cap, n); _dtOverMT = new Tensor(cap, n);
        _mOverRT = new Tensor(cap, n); _dtOverRT = new Tensor(cap, n);

        _rows = options.BatchSize;
        _u.SetRows(_rows); _v.SetRows(_rows); _r.SetRows(_rows); _rp.SetRows(_rows);

        _gradW = new Tensor(n, nIn); _gradB = new Tensor(1, n); _gradTau = new Tensor(1, n);
        ErrorRateSum = new Tensor(n, nIn);
        _invTauM = new float[n]; _rOverM = new float[n]; _dtOverM = new float[n]; _mOverR = new float[n]; _dtOverR = new float[n];
        _tauMMin = options.TauMMin ?? (float)(10.0 * options.Dt);
        UpdateFactors();

        if (options.Learn)
        {
            _optW = new GleOptimizer(options.Optimizer, Weights);
            if (options.Bias) _optB = new GleOptimizer(options.Optimizer, Bias);
            if (options.LearnTauM) _optTau = new GleOptimizer(options.Optimizer, TauM);
        }

        var inputs = new List<InputPort> { new(options.InputKind, nIn) };
        if (options.ErrorSource == GleErrorSource.Feedback) inputs.Add(new InputPort(MessageKind.Feedback, n));
        else if (options.ErrorSource == GleErrorSource.Target) inputs.Add(new InputPort(MessageKind.Target, n));
        _inputs = inputs.ToArray();
        var outputs = new List<OutputPort> { new(options.OutputKind, n) };
        if (options.SendFeedback) outputs.Add(new OutputPort(MessageKind.Feedback, nIn));
        _outputs = outputs.ToArray();
        var parameters = new List<NamedTensor> { new("W", Weights), new("b", Bias), new("tauM", TauM) };
        _parameters = parameters.ToArray();
    }

    public int Id => _o.Id;
    public string Name => _o.Name;
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Lockstep;
    public IReadOnlyList<NamedTensor> Parameters => _parameters;
    public GleLayerOptions Options => _o;

    /// <summary>W, out × in.</summary>
    public Tensor Weights { get; }
    /// <summary>b, 1 × out (zero and frozen without bias).</summary>
    public Tensor Bias { get; }
    /// <summary>τ_m per neuron, 1 × out.</summary>
    public Tensor TauM { get; }
    public ReadOnlySpan<float> TauR => _tauR;

    /// <summary>State after the last step (rows = current batch).</summary>
    public Tensor U => _u;
    public Tensor V => _v;
    public Tensor R => _r;
    public Tensor RPrime => _rp;
    /// <summary>The prospective error and the instantaneous error of the last step.</summary>
    public Tensor Error => _e;
    public Tensor ErrorInstant => _eInst;

    /// <summary>When set, every step adds Σ_rows e r_inᵀ to <see cref="ErrorRateSum"/> (diagnostics: the GLE
    /// gradient estimate compared with BPTT). Independent of learning.</summary>
    public bool AccumulateErrorRate { get; set; }
    public Tensor ErrorRateSum { get; }

    /// <summary>Current learning rate of the layer's optimisers (reduce-on-plateau changes it between steps).</summary>
    public double LearningRate
    {
        get => _optW?.LearningRate ?? 0;
        set
        {
            if (_optW is not null) _optW.LearningRate = value;
            if (_optB is not null) _optB.LearningRate = value;
            if (_optTau is not null) _optTau.LearningRate = value;
        }
    }

    /// <summary><see cref="GleCommands.LearningRate"/>: no argument reads the rate, one (≥ 0, finite) sets it.</summary>
    public NodeReply Execute(NodeCommand command, IOutbox outbox)
    {
        if (command.Verb != GleCommands.LearningRate) throw GleCommands.Unknown(command, Name, GleCommands.LearningRate);
        switch (command.Numbers.Length)
        {
            case 0: break;
            case 1 when command.Numbers[0] >= 0 && double.IsFinite(command.Numbers[0]):
                LearningRate = command.Numbers[0];
                break;
            default:
                throw new ArgumentException($"{Name}: {command.Verb} takes no argument or one finite rate >= 0, got ({string.Join(", ", command.Numbers)})");
        }
        return new NodeReply(LearningRate);
    }

    /// <summary>Optimiser states (W, b, τ_m in that order, those that exist).</summary>
    public IEnumerable<float[]> OptimizerState
    {
        get
        {
            foreach (var opt in new[] { _optW, _optB, _optTau })
                if (opt is not null) foreach (var s in opt.State) yield return s;
        }
    }

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        // The phase travels with the rates: over a jittery or lossy link the gate holds the newest rates that have
        // arrived, and the step takes their phase (not a default), so a test pass never learns.
        if (inputs[0] is { Step: >= 0 } rates) phase = rates.Phase;
        var inPayload = inputs[0]!.Payload;
        if (inPayload.Rows > 0 && inPayload.Rows != _rows) Resize(inPayload.Rows);
        int rows = _rows;
        var rIn = View(inPayload, _inTile);
        _e.SetRows(rows); _eInst.SetRows(rows); _drive.SetRows(rows); _uTilde.SetRows(rows); _uDot.SetRows(rows);

        // 1. e^inst from values stored at the previous step.
        bool hasError = ComputeErrorInstant(inputs, rows);

        // 2. s = b + W r_in with the pre-update W (the GEMM accumulates onto the tiled bias).
        if (_o.Bias)
        {
            TileBias(rows);
            _biasT.Data.AsSpan(0, rows * _o.OutSize).CopyTo(_drive.Span);
            Gemm.MatMulTransB(rIn, Weights, _drive, accumulate: true);
        }
        else Gemm.MatMulTransB(rIn, Weights, _drive);

        // 3–4. Error neurons, then membrane, one pass over the whole batch (per-neuron factors tiled over rows).
        int len = rows * _o.OutSize;
        bool needUDot = _optTau is not null;
        NeuronStep.Row(_eInst.ReadOnlySpan, _v.Span, _e.Span, _drive.Span, ReadOnlySpan<float>.Empty, _u.Span, _uTilde.Span,
                       needUDot ? _uDot.Span : Span<float>.Empty, _o.Gamma, _o.ProspectiveErrors,
                       _mOverRT.Data.AsSpan(0, len), _dtOverRT.Data.AsSpan(0, len), _rOverMT.Data.AsSpan(0, len),
                       _dtOverMT.Data.AsSpan(0, len), _invTauMT.Data.AsSpan(0, len));

        // 5. Gradients (batch means) and diagnostics.
        bool learn = _optW is not null && phase == Phase.Train && step >= _o.LearnFromStep && hasError;
        float invB = 1f / rows;
        if (learn)
        {
            Gemm.MatMulTransA(_e, rIn, _gradW, alpha: -invB);
            if (_optB is not null)
            {
                Ops.SumRows(_e, _gradB.Span);
                TensorPrimitives.Multiply(_gradB.Span, -invB, _gradB.Span);
            }
            if (_optTau is not null)
            {
                _scratch.SetRows(rows);
                TensorPrimitives.Multiply(_e.ReadOnlySpan, _uDot.ReadOnlySpan, _scratch.Span);
                Ops.SumRows(_scratch, _gradTau.Span);
                TensorPrimitives.Multiply(_gradTau.Span, invB, _gradTau.Span);
            }
        }
        if (AccumulateErrorRate) Gemm.MatMulTransA(_e, rIn, ErrorRateSum, accumulate: true);

        // 6. Feedback Wᵀe for the layer below (pre-update W).
        if (_o.SendFeedback)
        {
            var down = outbox.Rent(MessageKind.Feedback, rows);
            Gemm.MatMul(_e, Weights, down.Payload);
            outbox.Send(down, phase, step);
        }

        // 7. r = φ(ũ), r′ = φ′(ũ); emit r.
        GlePhiFunctions.Apply(_o.Phi, _uTilde.ReadOnlySpan, _r.Span, _rp.Span);
        if (_o.CheckFinite) CheckFinite(step);
        var up = outbox.Rent(_o.OutputKind, rows);
        _r.ReadOnlySpan.CopyTo(up.Payload.Span);
        outbox.Send(up, phase, step);

        // 8. Optimiser step, then clamp a learned τ_m.
        if (learn)
        {
            _optW!.Step(_gradW.ReadOnlySpan);
            if (_optB is not null)
            {
                _optB.Step(_gradB.ReadOnlySpan);
                _biasTileRows = 0;
            }
            if (_optTau is not null)
            {
                _optTau.Step(_gradTau.ReadOnlySpan);
                var tau = TauM.Span;
                for (int j = 0; j < tau.Length; j++) if (!(tau[j] >= _tauMMin)) tau[j] = _tauMMin;
                UpdateFactors();
            }
        }
    }

    /// <summary>Fills <see cref="_eInst"/>; false when no error is present this step (evaluation, teacher).</summary>
    private bool ComputeErrorInstant(ReadOnlySpan<Message?> inputs, int rows)
    {
        switch (_o.ErrorSource)
        {
            case GleErrorSource.Feedback:
            {
                var f = inputs[1]!.Payload;
                if (f.Rows == 0) { _eInst.Clear(); return true; }
                var fb = View(f, _errTile);
                TensorPrimitives.Multiply(_rp.ReadOnlySpan, fb.ReadOnlySpan, _eInst.Span);
                return true;
            }
            case GleErrorSource.Target:
            {
                var m = inputs[1]!;
                if (m.Payload.Rows == 0 || m.Phase != Phase.Train) { _eInst.Clear(); return false; }
                var y = View(m.Payload, _errTile);
                if (_o.Loss == GleLoss.CrossEntropy)
                    for (int b = 0; b < rows; b++) TensorPrimitives.SoftMax(_r.Row(b), _eInst.Row(b));
                else _r.ReadOnlySpan.CopyTo(_eInst.Span);
                TensorPrimitives.Subtract(y.ReadOnlySpan, _eInst.ReadOnlySpan, _eInst.Span);   // y − softmax(r) or y − r
                TensorPrimitives.Multiply(_eInst.ReadOnlySpan, _rp.ReadOnlySpan, _eInst.Span);
                if (_o.Beta != 1f) TensorPrimitives.Multiply(_eInst.ReadOnlySpan, _o.Beta, _eInst.Span);
                return true;
            }
            default:
                _eInst.Clear();
                return false;
        }
    }

    /// <summary>The payload as <see cref="_rows"/> rows: itself, zeros (no message yet) or tiled into <paramref name="tile"/>.</summary>
    private Tensor View(Tensor payload, Tensor tile)
    {
        if (payload.Rows == _rows) return payload;
        tile.SetRows(_rows);
        if (payload.Rows == 0)
        {
            tile.Clear();
            return tile;
        }
        for (int b = 0; b < _rows; b++) payload.Row(b % payload.Rows).CopyTo(tile.Row(b));
        return tile;
    }

    private void Resize(int rows)
    {
        if (rows > _o.BatchCapacity)
            throw new InvalidOperationException($"layer '{Name}': batch of {rows} rows exceeds its capacity of {_o.BatchCapacity}");
        int old = _rows;
        Tile(_u, old, rows); Tile(_v, old, rows); Tile(_r, old, rows); Tile(_rp, old, rows);
        _rows = rows;
    }

    private static void Tile(Tensor t, int old, int rows)
    {
        t.SetRows(rows);
        for (int b = old; b < rows; b++) t.Row(b % old).CopyTo(t.Row(b));
    }

    private void TileBias(int rows)
    {
        int n = _o.OutSize;
        // Row 0 is a copy of the bias the tile was built from: any change to the bias (optimiser, checkpoint) shows there.
        if (_biasTileRows > 0 && !_biasT.Data.AsSpan(0, n).SequenceEqual(Bias.ReadOnlySpan)) _biasTileRows = 0;
        for (int b = _biasTileRows; b < rows; b++) Bias.ReadOnlySpan.CopyTo(_biasT.Data.AsSpan(b * n, n));
        if (rows > _biasTileRows) _biasTileRows = rows;
    }

    private void UpdateFactors()
    {
        var tau = TauM.ReadOnlySpan;
        double dt = _o.Dt;
        for (int j = 0; j < tau.Length; j++)
        {
            double tm = tau[j], tr = _tauR[j];
            _invTauM[j] = (float)(1 / tm);
            _rOverM[j] = (float)(tr / tm);
            _dtOverM[j] = (float)(dt / tm);
            _mOverR[j] = (float)(tm / tr);
            _dtOverR[j] = (float)(dt / tr);
        }
        int n = tau.Length;
        for (int b = 0; b < _o.BatchCapacity; b++)
        {
            _invTauM.CopyTo(_invTauMT.Data, b * n);
            _rOverM.CopyTo(_rOverMT.Data, b * n);
            _dtOverM.CopyTo(_dtOverMT.Data, b * n);
            _mOverR.CopyTo(_mOverRT.Data, b * n);
            _dtOverR.CopyTo(_dtOverRT.Data, b * n);
        }
    }

    private void CheckFinite(long step)
    {
        var r = _r.ReadOnlySpan;
        if (float.IsFinite(TensorPrimitives.Sum(r))) return;
        for (int i = 0; i < r.Length; i++)
            if (!float.IsFinite(r[i]))
                throw new DivergenceException(Name, step, r[i], $"rate of neuron {i % _o.OutSize} in row {i / _o.OutSize} is {r[i]}");
    }

    private void Initialize()
    {
        int nIn = _o.InSize;
        if (_o.InitialWeights is { } w)
        {
            if (w.Length != Weights.Length) throw new ArgumentException($"layer '{Name}': {w.Length} initial weights for a {Weights.Rows} x {nIn} matrix");
            w.CopyTo(Weights.Span);
        }
        else
        {
            float a = 1f / MathF.Sqrt(nIn);
            var rng = CounterRng.For(_o.Seed, _o.Id, 0, RngPurpose.Init);
            rng.FillUniform(Weights.Span, -a, a);
        }
        if (!_o.Bias) return;
        if (_o.InitialBiases is { } bias)
        {
            if (bias.Length != Bias.Length) throw new ArgumentException($"layer '{Name}': {bias.Length} initial biases for {Bias.Length} neurons");
            bias.CopyTo(Bias.Span);
        }
        else
        {
            float a = 1f / MathF.Sqrt(nIn);
            var rng = CounterRng.For(_o.Seed, _o.Id, 1, RngPurpose.Init);
            rng.FillUniform(Bias.Span, -a, a);
        }
    }
}
