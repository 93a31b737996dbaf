using Apical.Core.Checkpoints;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;

namespace Apical.Core.Rules.Backprop;

/// <summary>
/// A fully connected layer h = φ(x Wᵀ + b) for the discrete rules (BP, FA, DFA), pipelined: forward k
/// keeps its input and output messages until the credit for k arrives; the credit is turned into
/// δ = (∂L/∂h) ⊙ φ′ and the layer updates W and b from δᵀ x with its own optimiser. What it receives and
/// sends as credit (<see cref="CreditIn"/>, <see cref="CreditOut"/>) is what distinguishes BP, FA and DFA.
/// </summary>
public sealed class DenseLayer : INode, IParameterized, ICheckpointable
{
    private readonly DenseLayerOptions _o;
    private readonly InputPort[] _inputs;
    private readonly OutputPort[] _outputs;
    private readonly Message?[] _heldInput;
    private readonly Message?[] _heldOutput;
    private readonly Tensor _credit;     // ∂L/∂h when it must be computed (FA/DFA)
    private readonly Tensor _delta;      // δ
    private readonly Tensor _gradW;
    private readonly Tensor _gradB;
    private readonly ParameterOptimizer _optW;
    private readonly ParameterOptimizer _optB;
    private readonly NamedTensor[] _parameters;

    public DenseLayer(DenseLayerOptions options)
    {
        _o = options;
        if (options.InSize <= 0 || options.OutSize <= 0)
            throw new ArgumentException($"layer '{options.Name}': sizes must be positive ({options.InSize} -> {options.OutSize})");
        Weights = new Tensor(options.OutSize, options.InSize);
        Bias = new Tensor(1, options.OutSize);
        var rng = CounterRng.For(options.Seed, options.Id, 0, RngPurpose.Init);
        Initialize(Weights, options.Init, ref rng);

        var inputs = new List<InputPort> { new(options.IsFirst ? MessageKind.Input : MessageKind.Rates, options.InSize, 0) };
        if (options.CreditIn != CreditIn.None)
        {
            if (options.FeedbackWidth <= 0)
                throw new ArgumentException($"layer '{options.Name}': credit width must be positive");
            if (options.CreditIn == CreditIn.Identity && options.FeedbackWidth != options.OutSize)
                throw new ArgumentException($"layer '{options.Name}': identity credit must have width {options.OutSize}, got {options.FeedbackWidth}");
            inputs.Add(new InputPort(MessageKind.Feedback, options.FeedbackWidth, 1));
        }
        _inputs = inputs.ToArray();

        var outputs = new List<OutputPort> { new(options.IsOutput ? MessageKind.Output : MessageKind.Rates, options.OutSize) };
        if (options.CreditOut != CreditOut.None)
            outputs.Add(new OutputPort(MessageKind.Feedback, options.CreditOut == CreditOut.TransposedWeights ? options.InSize : options.OutSize));
        _outputs = outputs.ToArray();

        var parameters = new List<NamedTensor> { new("W", Weights), new("b", Bias) };
        if (options.CreditIn == CreditIn.FixedRandomMatrix)
        {
            // A second, independent stream of the init purpose (counter 1) keeps W unchanged when B is added.
            FeedbackMatrix = new Tensor(options.FeedbackWidth, options.OutSize);
            var frng = CounterRng.For(options.Seed, options.Id, 1, RngPurpose.Init);
            Initialize(FeedbackMatrix, options.Init, ref frng);
            parameters.Add(new NamedTensor("B", FeedbackMatrix));
        }
        _parameters = parameters.ToArray();

        int slots = options.PipelineDepth + 1;
        _heldInput = new Message?[slots];
        _heldOutput = new Message?[slots];
        _credit = new Tensor(options.BatchCapacity, options.OutSize);
        _delta = new Tensor(options.BatchCapacity, options.OutSize);
        _gradW = new Tensor(options.OutSize, options.InSize);
        _gradB = new Tensor(1, options.OutSize);
        _optW = options.Optimizer.For(Weights);
        _optB = options.Optimizer.For(Bias);
    }

    public int Id => _o.Id;
    public string Name => _o.Name;
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Pipelined(_o.PipelineDepth);
    public IReadOnlyList<NamedTensor> Parameters => _parameters;
    public DenseLayerOptions Options => _o;

    /// <summary>W, out × in.</summary>
    public Tensor Weights { get; }

    /// <summary>b, 1 × out.</summary>
    public Tensor Bias { get; }

    /// <summary>The fixed random feedback matrix (FA: n(i+1) × n(i); DFA: n(L) × n(i)), or null.</summary>
    public Tensor? FeedbackMatrix { get; }

    /// <summary>The last weight gradient as applied (after clipping and weight decay), for tests and diagnostics.</summary>
    public Tensor LastWeightGradient => _gradW;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        if (trigger == 0) Forward(phase, step, inputs[0]!, outbox);
        else Backward(step, inputs[1]!, outbox);
    }

    private void Forward(Phase phase, long step, Message x, IOutbox outbox)
    {
        var kind = _o.IsOutput ? MessageKind.Output : MessageKind.Rates;
        var h = outbox.Rent(kind, x.Payload.Rows);
        Gemm.MatMulTransB(x.Payload, Weights, h.Payload);
        Ops.AddRowVector(h.Payload, Bias.ReadOnlySpan);
        Activations.Apply(_o.Activation, h.Payload.Span);
        if (phase == Phase.Train && _o.CreditIn != CreditIn.None)
        {
            int slot = Slot(step);
            if (_heldInput[slot] is not null)
                throw new InvalidOperationException($"layer '{Name}': forward {step} would overwrite a minibatch still awaiting credit");
            x.Retain();
            h.Retain();
            _heldInput[slot] = x;
            _heldOutput[slot] = h;
        }
        outbox.Send(h, phase, step);
    }

    private void Backward(long step, Message feedback, IOutbox outbox)
    {
        int slot = Slot(step);
        var x = _heldInput[slot] ?? throw new InvalidOperationException($"layer '{Name}': credit for minibatch {step} arrived without its forward pass");
        var h = _heldOutput[slot]!;
        int rows = x.Payload.Rows;
        if (feedback.Payload.Rows != rows)
            throw new InvalidOperationException($"layer '{Name}': credit for minibatch {step} has {feedback.Payload.Rows} rows, forward had {rows}");

        Tensor dLdh;
        if (_o.CreditIn == CreditIn.FixedRandomMatrix)
        {
            _credit.SetRows(rows);
            Gemm.MatMul(feedback.Payload, FeedbackMatrix!, _credit);
            dLdh = _credit;
        }
        else dLdh = feedback.Payload;

        _delta.SetRows(rows);
        Activations.MultiplyByDerivative(_o.Activation, dLdh.ReadOnlySpan, h.Payload.ReadOnlySpan, _delta.Span);

        if (_o.CreditOut != CreditOut.None)
        {
            var down = outbox.Rent(MessageKind.Feedback, rows);
            if (_o.CreditOut == CreditOut.TransposedWeights) Gemm.MatMul(_delta, Weights, down.Payload);
            else _delta.ReadOnlySpan.CopyTo(down.Payload.Span);
            outbox.Send(down, Phase.Train, step);
        }

        Gemm.MatMulTransA(_delta, x.Payload, _gradW);
        Ops.SumRows(_delta, _gradB.Span);
        _optW.Step(_gradW);
        _optB.Step(_gradB);

        x.Release();
        h.Release();
        _heldInput[slot] = null;
        _heldOutput[slot] = null;
    }

    public void Save(CheckpointWriter writer)
    {
        foreach (var p in _parameters) writer.Tensor(p.Name, p.Tensor);
        _optW.Save(writer, "W.optimizer");
        _optB.Save(writer, "b.optimizer");
    }

    public void Load(CheckpointReader reader)
    {
        foreach (var m in _heldInput)
            if (m is not null) throw new InvalidOperationException($"layer '{Name}': cannot restore a checkpoint with minibatches in flight");
        foreach (var p in _parameters) reader.Tensor(p.Name, p.Tensor);
        _optW.Load(reader, "W.optimizer");
        _optB.Load(reader, "b.optimizer");
    }

    private int Slot(long step) => (int)(step % _heldInput.Length);

    private static void Initialize(Tensor w, WeightInitKind kind, ref CounterRng rng)
    {
        switch (kind)
        {
            case WeightInitKind.XavierUniform: WeightInit.XavierUniform(w, ref rng); break;
            case WeightInitKind.HeNormal: WeightInit.HeNormal(w, ref rng); break;
            default: WeightInit.XavierNormal(w, ref rng); break;
        }
    }
}
