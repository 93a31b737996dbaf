using Apical.Core.Checkpoints;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Backprop;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// One DFC layer (spec sections 2, 5, 8–11): basal v^ff = W r_{l−1} + b, apical v^fb driven by Q u (plus noise),
/// soma τ_v dv/dt = −v + v^ff + v^fb, rate r = φ(v). It learns W, b from the forward rule and Q from the
/// feedback rule, accumulated online, and steps its own optimisers at the end of a mini-batch.
/// <para>
/// One code path, two drivers: <see cref="Advance"/> is called in layer order by the in-process sweep (zero-delay
/// hand-over), and by <see cref="Fire"/> under the lockstep engine (Jacobi: every link has delay 1). The layer
/// receives only r_{l−1} (<c>Rates</c>) and u (<c>Control</c>) and sends only r_l (<c>Rates</c>, or <c>Output</c>
/// from the top layer). Batch start and end are control-plane calls, direct or as node commands
/// (<see cref="DfcCommands"/>) wherever the layer is hosted.
/// </para>
/// </summary>
public sealed class DfcLayer : INode, IParameterized, ICommandTarget, ICheckpointable
{
    private readonly DfcLayerOptions _o;
    private readonly InputPort[] _inputs;
    private readonly OutputPort[] _outputs;
    private readonly NamedTensor[] _parameters;
    private readonly PackedMatrix _packedW, _packedQ;
    private readonly Tensor _vffConst, _phiVffConst; // first layer: W x + b and φ of it, per sample
    private readonly Tensor _input;                   // first layer: x
    private readonly Tensor _vff, _vfb, _v, _qu, _s;
    private Tensor _r, _rPrev;
    private readonly ApicalNoise _noise;
    private readonly ForwardRule _forward;
    private readonly FeedbackWeightRule _feedback;
    private readonly ParameterOptimizer _optW, _optB, _optQ, _optQPretrain;
    private readonly LinkModelInput? _ratesIn, _controlIn; // jittery or lossy links only
    private PhaseConstants? _c;
    private int _rows;
    private long _k;         // state index of the current values
    private long _firstStep; // lockstep: global step of the first firing of this batch
    private bool _initialSent; // lockstep: state 0 of this batch has been sent

    public DfcLayer(DfcLayerOptions o)
    {
        _o = o;
        if (o.InSize <= 0 || o.OutSize <= 0 || o.ControlSize <= 0)
            throw new ArgumentException($"layer '{o.Name}': sizes must be positive");
        int cap = o.BatchCapacity;
        if (o.SharedParameters is { } owner)
        {
            var so = owner.Options;
            if (so.InSize != o.InSize || so.OutSize != o.OutSize || so.ControlSize != o.ControlSize || so.Index != o.Index)
                throw new ArgumentException($"layer '{o.Name}' cannot share the parameters of '{so.Name}': a different position or shape");
            (Weights, Bias, FeedbackWeights) = (owner.Weights, owner.Bias, owner.FeedbackWeights);
            (_packedW, _packedQ) = (owner._packedW, owner._packedQ);
        }
        else
        {
            Weights = new Tensor(o.OutSize, o.InSize);
            Bias = new Tensor(1, o.OutSize);
            FeedbackWeights = new Tensor(o.OutSize, o.ControlSize);
            InitParameters(o, Weights, FeedbackWeights);
            _packedW = PackedMatrix.ForTransB(Weights);
            _packedQ = PackedMatrix.ForTransB(FeedbackWeights);
        }
        _parameters = new[] { new NamedTensor("W", Weights), new NamedTensor("b", Bias), new NamedTensor("Q", FeedbackWeights) };

        _inputs = o.IsFirst
            ? new[] { new InputPort(MessageKind.Control, o.ControlSize) }
            : new[] { new InputPort(MessageKind.Rates, o.InSize), new InputPort(MessageKind.Control, o.ControlSize) };
        _outputs = new[] { new OutputPort(o.IsOutput ? MessageKind.Output : MessageKind.Rates, o.OutSize) };

        _vffConst = new Tensor(o.IsFirst ? cap : 0, o.OutSize);
        _phiVffConst = new Tensor(o.IsFirst ? cap : 0, o.OutSize);
        _input = new Tensor(o.IsFirst ? cap : 0, o.InSize);
        _vff = new Tensor(cap, o.OutSize);
        _vfb = new Tensor(cap, o.OutSize);
        _v = new Tensor(cap, o.OutSize);
        _qu = new Tensor(cap, o.OutSize);
        _s = new Tensor(o.IsFirst ? cap : 0, o.OutSize); // the other layers' forward rule forms s itself
        _r = new Tensor(cap, o.OutSize);
        _rPrev = new Tensor(cap, o.OutSize);
        _noise = new ApicalNoise(o.Seed, o.RngKey, o.OutSize, cap);
        _forward = new ForwardRule(o.InSize, o.OutSize, Math.Min(cap, o.LearningBatchCapacity ?? cap), constantInput: o.IsFirst,
            allowWorker: o.ForwardWorker, trainingRows: o.TrainingBatchSize);
        _feedback = new FeedbackWeightRule(o.OutSize, o.ControlSize, cap, Math.Max(1, o.MaxPairingDelay));
        _optW = o.ForwardOptimizer.For(Weights);
        _optB = o.ForwardOptimizer.For(Bias);
        _optQ = o.FeedbackOptimizer.For(FeedbackWeights);
        _optQPretrain = o.PretrainOptimizer.For(FeedbackWeights);
        if (o.Links.Enabled)
        {
            int rows = Math.Min(cap, o.LearningBatchCapacity ?? cap);
            if (!o.IsFirst) _ratesIn = new LinkModelInput(o.Links, o.LinkDelay, o.Seed, 2 * o.Id, rows, o.InSize); // port 0
            _controlIn = new LinkModelInput(o.Links, o.LinkDelay, o.Seed, 2 * o.Id + 1, rows, o.ControlSize);     // the control
        }
    }

    public int Id => _o.Id;
    public string Name => _o.Name;
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Lockstep;
    public IReadOnlyList<NamedTensor> Parameters => _parameters;
    public DfcLayerOptions Options => _o;

    /// <summary>W, n_l × n_{l−1}.</summary>
    public Tensor Weights { get; }
    /// <summary>b, 1 × n_l.</summary>
    public Tensor Bias { get; }
    /// <summary>Q, n_l × n_L.</summary>
    public Tensor FeedbackWeights { get; }

    /// <summary>Current rates r_l (B × n_l).</summary>
    public Tensor Rates => _r;
    /// <summary>Rates of the previous state index (for a Jacobi hand-over in the in-process driver).</summary>
    public Tensor PreviousRates => _rPrev;
    public Tensor Voltage => _v;
    public Tensor BasalVoltage => _o.IsFirst ? _vffConst : _vff;
    public Tensor ApicalVoltage => _vfb;
    /// <summary>State index k of the current values.</summary>
    public long StateIndex => _k;

    public Tensor WeightGradient => _forward.WeightGradient;
    public Tensor BiasGradient => _forward.BiasGradient;
    public Tensor FeedbackGradient => _feedback.Gradient;
    internal FeedbackWeightRule FeedbackRule => _feedback;
    internal ApicalNoise Noise => _noise;

    /// <summary>Σ_b ‖Q_l u‖² at the last step of the mini-batch (control effort, spec 14).</summary>
    public double ControlEffort { get; private set; }
    private double _basalSquares; // Σ_b ‖v^ff_l‖² at the last step
    /// <summary>‖Q_l u‖_F / ‖v^ff_l‖_F at the last step.</summary>
    public double FeedbackRatio { get; private set; }

    /// <summary>Keep every forward-rule GEMM on the calling thread from the next <see cref="BeginBatch"/> on (a row-split
    /// sweep keeps the other core busy itself).</summary>
    internal bool CallingThreadOnly { get; set; }

    /// <summary>The mini-batch row this layer's first row is, from the next <see cref="BeginBatch"/> on: 0, except in the
    /// partner of a row-split sweep, which holds the second half (its noise is that of the rows it holds).</summary>
    internal int RowOffset { get; set; }

    /// <summary>What the layer's jittery or lossy input links did in the mini-batch (zero without a link model).</summary>
    public LinkCounts LinkCounts
    {
        get
        {
            var counts = _controlIn?.Counts ?? default;
            if (_ratesIn is not null) counts.Add(_ratesIn.Counts);
            return counts;
        }
    }

    /// <summary>
    /// Feedforward pass (u = 0, no noise, no plasticity): v = v^ff = v^- = W pre + b, r = φ(v). Also the
    /// evaluation pass. <paramref name="pre"/> is x for the first layer.
    /// </summary>
    public void Settle(Tensor pre)
    {
        int rows = pre.Rows;
        _rows = rows;
        SetRows(rows);
        Tensor vff;
        if (_o.IsFirst)
        {
            _input.SetRows(rows);
            pre.ReadOnlySpan.CopyTo(_input.Span);
            _vffConst.SetRows(rows);
            _phiVffConst.SetRows(rows);
            Gemm.MatMul(pre, _packedW, _vffConst);
            Ops.AddRowVector(_vffConst, Bias.ReadOnlySpan);
            _vffConst.ReadOnlySpan.CopyTo(_phiVffConst.Span);
            Phi(_phiVffConst.Span);
            vff = _vffConst;
        }
        else
        {
            Gemm.MatMul(pre, _packedW, _vff);
            Ops.AddRowVector(_vff, Bias.ReadOnlySpan);
            vff = _vff;
        }
        vff.ReadOnlySpan.CopyTo(_v.Span);
        vff.ReadOnlySpan.CopyTo(_r.Span);
        Phi(_r.Span);
        _r.ReadOnlySpan.CopyTo(_rPrev.Span);
        _k = 0;
    }

    /// <summary>Starts the simulation of a settled mini-batch (control plane): v^fb = 0, ε = 0, accumulators 0.</summary>
    /// <param name="firstStep">lockstep only: the global step of this batch's first firing.</param>
    public void BeginBatch(PhaseConstants c, long batchSerial, long firstStep = 0)
    {
        _c = c;
        _k = 0;
        _firstStep = firstStep;
        _initialSent = false;
        if (_controlIn is not null)
        {
            if (c.Schedule != TransmissionSchedule.Jacobi || c.LinkDelay != _o.LinkDelay)
                throw new ArgumentException($"layer '{Name}': jittery or lossy links need the Jacobi schedule with the network's delay {_o.LinkDelay}, got {c.Schedule} with delay {c.LinkDelay}");
            _controlIn.Begin(batchSerial, firstStep);
            _ratesIn?.Begin(batchSerial, firstStep);
        }
        _vfb.Clear();
        double sigma = _o.IsOutput ? c.SigmaOut : c.Sigma;
        _noise.Begin(c, sigma, batchSerial, _rows, RowOffset);
        if (c.LearnForward) _forward.Begin(_rows, CallingThreadOnly);
        if (c.LearnFeedback)
        {
            double scale = Math.Pow(c.FbScalingBase, _o.LayerCount - _o.Index);
            _feedback.Begin(_rows, c.PairingDelay(_o.Index, _o.LayerCount), sigma, scale, c.HighPassControl, c.HighPassA);
            _feedback.RecordApical(_vfb, 0);
        }
        ControlEffort = 0;
        FeedbackRatio = 0;
    }

    /// <summary>
    /// Advances from state k to k + 1. <paramref name="pre"/> is the rate that produces v^ff[k+1] (ignored by the
    /// first layer, whose input is constant), <paramref name="u"/> the control it receives, with index
    /// <paramref name="uIndex"/> (k + 1 under the sweep, k under Jacobi).
    /// </summary>
    public void Advance(Tensor? pre, Tensor u, long uIndex)
    {
        var c = _c ?? throw new InvalidOperationException($"layer '{Name}': Advance before BeginBatch");
        if (c.LearnFeedback) _feedback.ObserveControl(u, uIndex);

        Tensor vff;
        if (_o.IsFirst) vff = _vffConst;
        else
        {
            Gemm.MatMul(pre!, _packedW, _vff);
            Ops.AddRowVector(_vff, Bias.ReadOnlySpan);
            vff = _vff;
        }

        Gemm.MatMul(u, _packedQ, _qu);
        var vfb = _vfb.Span;
        var qu = _qu.ReadOnlySpan;
        if (c.InstantaneousApical) qu.CopyTo(vfb);
        else
        {
            Euler.Relax(vfb, qu, (float)(c.Dt / c.TauFb));
        }
        _noise.AddTo(vfb);

        var v = _v.Span;
        Euler.Relax(v, vff.ReadOnlySpan, vfb, (float)(c.Dt / c.TauV));

        (_r, _rPrev) = (_rPrev, _r);
        _r.SetRows(_rows);
        Phi(v, _r.Span);
        _k++;

        bool last = _k == c.Steps - 1;
        if (c.LearnForward && (c.ForwardVariant == ForwardVariant.Continuous || last))
        {
            if (_o.IsFirst)
            {
                TeachingSignal(c.ForwardRule, vff);
                _forward.Add(_s);
            }
            else
            {
                var terms = c.ForwardRule == ForwardRuleKind.VoltageDifference ? TeachingTerms.Difference : TeachingTerms.Of(_o.Activation);
                _forward.Add(terms.UsesRate ? _r : _v, vff, pre!, terms);
            }
        }
        if (c.LearnFeedback) _feedback.RecordApical(_vfb, _k);
        if (last) Diagnose(vff);
    }

    /// <summary>The first layer's teaching signal s = φ(v) − φ(v^ff) (or v − v^ff), v^ff constant per sample; the other
    /// layers hand the terms to the forward rule, which forms s per chunk (<see cref="TeachingTerms"/>).</summary>
    private void TeachingSignal(ForwardRuleKind rule, Tensor vff)
    {
        var s = _s.Span;
        if (rule == ForwardRuleKind.VoltageDifference || _o.Activation == Activation.Linear)
            System.Numerics.Tensors.TensorPrimitives.Subtract(_v.ReadOnlySpan, vff.ReadOnlySpan, s);
        else
            System.Numerics.Tensors.TensorPrimitives.Subtract(_r.ReadOnlySpan, _phiVffConst.ReadOnlySpan, s);
    }

    private void Diagnose(Tensor vff)
    {
        double qu = 0, ff = 0;
        var q = _qu.ReadOnlySpan;
        var f = vff.ReadOnlySpan;
        for (int i = 0; i < q.Length; i++) { qu += (double)q[i] * q[i]; ff += (double)f[i] * f[i]; }
        ControlEffort = qu;
        _basalSquares = ff;
        FeedbackRatio = ff > 0 ? Math.Sqrt(qu / ff) : 0;
    }

    /// <summary>
    /// Takes over what <paramref name="other"/> (a layer sharing these parameters, <see cref="DfcLayerOptions.SharedParameters"/>)
    /// learned from the other rows of the same mini-batch: its forward- and feedback-rule sums and its diagnostics; the
    /// first layer also takes the whole batch's input <paramref name="input"/> for its gradient. Call after both
    /// simulations, before <see cref="EndBatch"/>.
    /// </summary>
    internal void AbsorbRows(DfcLayer other, Tensor input)
    {
        var c = _c ?? throw new InvalidOperationException($"layer '{Name}': no batch to absorb into");
        if (!ReferenceEquals(other.Weights, Weights)) throw new ArgumentException($"layer '{other.Name}' does not share the parameters of '{Name}'");
        if (c.LearnForward) _forward.Absorb(other._forward);
        if (c.LearnFeedback) _feedback.Absorb(other._feedback);
        if (_o.IsFirst)
        {
            _input.SetRows(input.Rows);
            input.ReadOnlySpan.CopyTo(_input.Span);
        }
        ControlEffort += other.ControlEffort;
        _basalSquares += other._basalSquares;
        FeedbackRatio = _basalSquares > 0 ? Math.Sqrt(ControlEffort / _basalSquares) : 0;
    }

    /// <summary>Forms the gradients of the rules that learned in this batch (no update).</summary>
    public void ComputeGradients()
    {
        var c = _c ?? throw new InvalidOperationException($"layer '{Name}': no batch to finish");
        if (c.LearnForward) _forward.Finish(_o.IsFirst ? _input : null, c.Steps, c.ForwardVariant);
        if (c.LearnFeedback) _feedback.Finish();
    }

    /// <summary>‖g_W‖_F before clipping of the last mini-batch, NaN unless it stepped W: the clipping activity in
    /// metrics.csv.</summary>
    public double WeightGradientNorm { get; private set; } = double.NaN;

    /// <summary>Ends the mini-batch: gradients, clipping, optimiser steps and repacking (spec 11).</summary>
    public void EndBatch(bool apply = true)
    {
        var c = _c ?? throw new InvalidOperationException($"layer '{Name}': no batch to finish");
        ComputeGradients();
        WeightGradientNorm = double.NaN;
        if (!apply) return;
        if (_o.SharedParameters is not null)
            throw new InvalidOperationException($"layer '{Name}' uses the parameters of '{_o.SharedParameters.Name}': only that layer steps them");
        if (c.LearnForward)
        {
            _optW.Step(_forward.WeightGradient);
            WeightGradientNorm = _optW.LastGradientNorm;
            _optB.Step(_forward.BiasGradient);
            _packedW.Repack(Weights);
        }
        if (c.LearnFeedback && !_o.FreezeFeedback)
        {
            (c.UsePretrainOptimizer ? _optQPretrain : _optQ).Step(_feedback.Gradient);
            _packedQ.Repack(FeedbackWeights);
        }
    }

    /// <summary>W, b, Q and the state of the forward, feedback and pre-training optimisers. Nothing else survives a
    /// mini-batch: the dynamics, accumulators and noise restart at every <see cref="BeginBatch"/>.</summary>
    public void Save(CheckpointWriter writer)
    {
        foreach (var p in _parameters) writer.Tensor(p.Name, p.Tensor);
        _optW.Save(writer, "W.optimizer");
        _optB.Save(writer, "b.optimizer");
        _optQ.Save(writer, "Q.optimizer");
        _optQPretrain.Save(writer, "Q.pretrain_optimizer");
    }

    public void Load(CheckpointReader reader)
    {
        foreach (var p in _parameters) reader.Tensor(p.Name, p.Tensor);
        _optW.Load(reader, "W.optimizer");
        _optB.Load(reader, "b.optimizer");
        _optQ.Load(reader, "Q.optimizer");
        _optQPretrain.Load(reader, "Q.pretrain_optimizer");
        Repack();
    }

    /// <summary>Call after changing <see cref="Weights"/> or <see cref="FeedbackWeights"/> from outside (tests).</summary>
    public void Repack()
    {
        _packedW.Repack(Weights);
        _packedQ.Repack(FeedbackWeights);
    }

    /// <summary>Lockstep: sends state 0 (the settled rates) stamped as each of the D steps before the batch's first
    /// firing (D the link delay: the receivers hold state 0 until state 1 arrives); once per batch (a hosted layer whose
    /// neighbours start first sends it at its first firing).</summary>
    public void EmitInitial(IOutbox outbox)
    {
        if (_initialSent) return;
        _initialSent = true;
        int d = _c?.LinkDelay ?? 1;
        for (int i = d; i >= 1; i--)
        {
            var m = outbox.Rent(_outputs[0].Kind, _rows);
            _r.ReadOnlySpan.CopyTo(m.Payload.Span);
            outbox.Send(m, Phase.Train, _firstStep - i);
        }
    }

    /// <summary>Lockstep firing at global step <paramref name="step"/>: k = step − first step of the batch; the inputs are
    /// the neighbours' states k + 1 − D (state 0 while that is negative); computes state k + 1 and sends it unless no
    /// firing of this batch will read it (the last D − 1 states beyond the batch's last).</summary>
    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        if (step < _firstStep || _c is null) return; // the gate's step 0 before the first batch (zero inputs)
        long k = step - _firstStep;
        if (k != _k) throw new InvalidOperationException($"layer '{Name}': firing for state {k + 1} while at state {_k}");
        if (!_initialSent) EmitInitial(outbox); // before state 0 is overwritten
        var u = inputs[_o.IsFirst ? 0 : 1]!.Payload;
        var pre = _o.IsFirst ? null : inputs[0]!.Payload;
        if (_controlIn is not null) u = _controlIn.Resolve(step, u);
        if (_ratesIn is not null) pre = _ratesIn.Resolve(step, pre!);
        Advance(pre, u, k);
        if (_k <= _c!.Steps - 1 - _c.LinkDelay)
        {
            var m = outbox.Rent(_outputs[0].Kind, _rows);
            _r.ReadOnlySpan.CopyTo(m.Payload.Span);
            outbox.Send(m, Phase.Train, step);
        }
    }

    /// <summary>Control-plane commands of a mini-batch (<see cref="DfcCommands"/>).</summary>
    public NodeReply Execute(NodeCommand command, IOutbox outbox)
    {
        switch (command.Verb)
        {
            case DfcCommands.Settle:
                DfcCommands.NeedNumbers(command, 0, Name);
                Settle(DfcCommands.TensorArgument(command, 0, _o.InSize, _o.BatchCapacity, Name));
                return new NodeReply(Array.Empty<double>(), new[] { TensorData.From(_r) });
            case DfcCommands.Begin:
                DfcCommands.NeedNumbers(command, 2 + PhaseConstants.EncodedLength, Name);
                var c = PhaseConstants.Read(command.Numbers.AsSpan(2));
                if (c.Schedule != TransmissionSchedule.Jacobi)
                    throw new ArgumentException($"layer '{Name}': a hosted layer runs the Jacobi schedule only, not {c.Schedule}");
                BeginBatch(c, DfcCommands.Step(command.Numbers[0], Name), DfcCommands.Step(command.Numbers[1], Name));
                return NodeReply.Empty;
            case DfcCommands.Start:
                DfcCommands.NeedNumbers(command, 0, Name);
                if (_c is null) throw new ArgumentException($"layer '{Name}': {command.Verb} before any {DfcCommands.Begin}");
                EmitInitial(outbox);
                return NodeReply.Empty;
            case DfcCommands.End:
                DfcCommands.NeedNumbers(command, 1, Name);
                if (_c is null) throw new ArgumentException($"layer '{Name}': {command.Verb} before any batch began");
                if (_k != _c.Steps - 1) throw new ArgumentException($"layer '{Name}': {command.Verb} at state {_k} of {_c.Steps - 1}");
                EndBatch(apply: command.Numbers[0] != 0);
                var numbers = new double[DfcBatchStats.LayerReplyLength];
                (numbers[0], numbers[1], numbers[2], numbers[3]) = (ControlEffort, FeedbackRatio, FeedbackWeightsFinite() ? 1.0 : 0.0, WeightGradientNorm);
                LinkCounts.Write(numbers.AsSpan(4));
                return new NodeReply(numbers, _o.IsOutput ? new[] { TensorData.From(_r) } : Array.Empty<TensorData>());
            default:
                throw new ArgumentException($"layer '{Name}': unknown command '{command.Verb}' (known: {DfcCommands.Settle}, {DfcCommands.Begin}, {DfcCommands.Start}, {DfcCommands.End})");
        }
    }

    /// <summary>Whether every value of Q is finite (a divergence check after a feedback step).</summary>
    public bool FeedbackWeightsFinite()
    {
        foreach (float q in FeedbackWeights.ReadOnlySpan)
            if (!float.IsFinite(q)) return false;
        return true;
    }

    /// <summary>φ: the fast vectorised tanh for tanh layers (see <see cref="FastTanh"/>), else the library activation.</summary>
    private void Phi(ReadOnlySpan<float> x, Span<float> dst)
    {
        if (_o.Activation == Activation.Tanh) { FastTanh.Apply(x, dst); return; }
        x.CopyTo(dst);
        Activations.Apply(_o.Activation, dst.Slice(0, x.Length));
    }

    private void Phi(Span<float> x) => Phi(x, x);

    private void SetRows(int rows)
    {
        _vff.SetRows(rows); _vfb.SetRows(rows); _v.SetRows(rows); _qu.SetRows(rows);
        if (_o.IsFirst) _s.SetRows(rows);
        _r.SetRows(rows); _rPrev.SetRows(rows);
    }

    private static void InitParameters(DfcLayerOptions o, Tensor w, Tensor q)
    {
        var rng = CounterRng.For(o.Seed, o.RngKey, 0, RngPurpose.Init);
        Init(w, o.Init, ref rng);
        if (o.IsOutput)
        {
            if (o.OutSize != o.ControlSize) throw new ArgumentException($"layer '{o.Name}': output width {o.OutSize} differs from the control width {o.ControlSize}");
            for (int i = 0; i < o.OutSize; i++) q[i, i] = 1f;
        }
        else
        {
            var qrng = CounterRng.For(o.Seed, o.RngKey, 1, RngPurpose.Init);
            WeightInit.XavierNormal(q, ref qrng);
        }
    }

    private static void Init(Tensor w, WeightInitKind kind, ref CounterRng rng)
    {
        switch (kind)
        {
            case WeightInitKind.XavierUniform: WeightInit.XavierUniform(w, ref rng); break;
            case WeightInitKind.HeNormal: WeightInit.HeNormal(w, ref rng); break;
            default: WeightInit.XavierNormal(w, ref rng); break;
        }
    }
}
