using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The PI controller (spec sections 3 and 4): error e = r^* − r_L (or r^* − softmax(r_L)), with the leak on the
/// total control as in both reference code bases:
/// u^int[k+1] = u^int[k] + dt (e[k] − α u[k]),  u[k+1] = u^int[k+1] + k_p e[k].
/// Its state is float64 (the Strong-DFC leak α ≈ 7.6e-6 puts e = α u at the 1e-5 level); it broadcasts u as
/// float32 <c>Control</c> every step and receives the network output (<c>Output</c>) every step.
/// </summary>
public sealed class PiController : INode, ICommandTarget
{
    private readonly int _n;
    private readonly InputPort[] _inputs;
    private readonly OutputPort[] _outputs;
    private readonly double[] _target, _uInt, _u, _e, _e0Norm, _rMinusNorm;
    private Tensor _uOut, _uPrevOut;
    private PhaseConstants? _c;
    private int _rows;
    private long _k, _firstStep;
    private bool _initialSent; // lockstep: u[0] of this batch has been sent
    private readonly LinkModelInput? _outputIn; // a jittery or lossy output link only
    private readonly int _linkDelay;

    /// <param name="links">jitter and loss of the output link, resolved here (<see cref="LinkModelInput"/>).</param>
    /// <param name="linkDelay">the network's link delay D (needed with <paramref name="links"/>).</param>
    /// <param name="learningCapacity">rows of the largest simulated mini-batch (null = <paramref name="batchCapacity"/>).</param>
    public PiController(int id, int outputWidth, int batchCapacity, string name = "controller", LinkModel? links = null,
        int linkDelay = 1, ulong seed = 1, int? learningCapacity = null)
    {
        Id = id;
        Name = name;
        _n = outputWidth;
        _inputs = new[] { new InputPort(MessageKind.Output, outputWidth) };
        _outputs = new[] { new OutputPort(MessageKind.Control, outputWidth) };
        int len = batchCapacity * outputWidth;
        _target = new double[len];
        _uInt = new double[len];
        _u = new double[len];
        _e = new double[len];
        _e0Norm = new double[batchCapacity];
        _rMinusNorm = new double[batchCapacity];
        FinalError = new double[batchCapacity];
        FinalResidual = new double[batchCapacity];
        _uOut = new Tensor(batchCapacity, outputWidth);
        _uPrevOut = new Tensor(batchCapacity, outputWidth);
        _linkDelay = linkDelay;
        if (links is { Enabled: true })
            _outputIn = new LinkModelInput(links, linkDelay, seed, 2 * id, Math.Min(batchCapacity, learningCapacity ?? batchCapacity), outputWidth);
    }

    /// <summary>What the jittery or lossy output link did in the mini-batch (zero without a link model).</summary>
    public LinkCounts LinkCounts => _outputIn?.Counts ?? default;

    public int Id { get; }
    public string Name { get; }
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Lockstep;

    /// <summary>u[k] as sent (float32, B × n_L).</summary>
    public Tensor Control => _uOut;
    /// <summary>u[k − 1] (for a non-proactive hand-over in the in-process driver).</summary>
    public Tensor PreviousControl => _uPrevOut;
    /// <summary>u in float64, row-major B × n_L.</summary>
    public ReadOnlySpan<double> ControlExact => _u.AsSpan(0, _rows * _n);
    public ReadOnlySpan<double> Target => _target.AsSpan(0, _rows * _n);
    public int Rows => _rows;
    public long StateIndex => _k;

    /// <summary>Per sample ‖e[T−1]‖ after <see cref="Finish"/>.</summary>
    public double[] FinalError { get; }
    /// <summary>Per sample ‖e[T−1] − α u[T−1]‖ after <see cref="Finish"/>.</summary>
    public double[] FinalResidual { get; }

    /// <summary>
    /// Starts a mini-batch (control plane): forms r^* from the settled output r_L^- and the labels y, sets
    /// u = u^int = 0 and records e[0].
    /// </summary>
    public void BeginBatch(PhaseConstants c, Tensor outputMinus, Tensor labels, long firstStep = 0, long batchSerial = 0)
    {
        if (_outputIn is not null)
        {
            if (c.Schedule != TransmissionSchedule.Jacobi || c.LinkDelay != _linkDelay)
                throw new ArgumentException($"{Name}: a jittery or lossy link needs the Jacobi schedule with the network's delay {_linkDelay}, got {c.Schedule} with delay {c.LinkDelay}");
            _outputIn.Begin(batchSerial, firstStep);
        }
        _c = c;
        _rows = outputMinus.Rows;
        _k = 0;
        _firstStep = firstStep;
        _initialSent = false;
        int len = _rows * _n;
        var rm = outputMinus.ReadOnlySpan;
        var y = labels.ReadOnlySpan;
        Span<double> p = stackalloc double[_n];
        for (int b = 0; b < _rows; b++)
        {
            int o = b * _n;
            switch (c.Target)
            {
                case TargetKind.Label:
                    for (int j = 0; j < _n; j++) _target[o + j] = y[o + j];
                    break;
                case TargetKind.Feedforward:
                    for (int j = 0; j < _n; j++) _target[o + j] = rm[o + j];
                    break;
                default:
                    Softmax(rm.Slice(o, _n), p);
                    for (int j = 0; j < _n; j++) _target[o + j] = rm[o + j] - c.TargetStepsize * (p[j] - y[o + j]);
                    break;
            }
            double rn = 0;
            for (int j = 0; j < _n; j++) rn += (double)rm[o + j] * rm[o + j];
            _rMinusNorm[b] = Math.Sqrt(rn);
        }
        Array.Clear(_uInt, 0, len);
        Array.Clear(_u, 0, len);
        _uOut.SetRows(_rows);
        _uPrevOut.SetRows(_rows);
        _uOut.Clear();
        _uPrevOut.Clear();
        Error(outputMinus.ReadOnlySpan);
        for (int b = 0; b < _rows; b++) _e0Norm[b] = Norm(_e.AsSpan(b * _n, _n));
    }

    /// <summary>Computes u[k+1] from r_L[k]; <see cref="Control"/> then holds u[k+1], <see cref="PreviousControl"/> u[k].</summary>
    public void Step(Tensor output)
    {
        var c = _c ?? throw new InvalidOperationException("controller: Step before BeginBatch");
        Error(output.ReadOnlySpan);
        int len = _rows * _n;
        double dt = c.Dt, alpha = c.Alpha, kp = c.Kp;
        (_uOut, _uPrevOut) = (_uPrevOut, _uOut);
        _uOut.SetRows(_rows);
        var uo = _uOut.Span;
        for (int i = 0; i < len; i++)
        {
            double ui = _uInt[i] + dt * (_e[i] - alpha * _u[i]);
            _uInt[i] = ui;
            double u = ui + kp * _e[i];
            _u[i] = u;
            uo[i] = (float)u;
        }
        _k++;
    }

    /// <summary>Records e[T−1] from the final output r_L[T−1] (diagnostics; u is not changed).</summary>
    public void Finish(Tensor finalOutput)
    {
        Error(finalOutput.ReadOnlySpan);
        double alpha = _c!.Alpha;
        for (int b = 0; b < _rows; b++)
        {
            double e2 = 0, r2 = 0;
            for (int j = 0; j < _n; j++)
            {
                double e = _e[b * _n + j];
                double r = e - alpha * _u[b * _n + j];
                e2 += e * e;
                r2 += r * r;
            }
            FinalError[b] = Math.Sqrt(e2);
            FinalResidual[b] = Math.Sqrt(r2);
        }
    }

    /// <summary>Convergence test of spec 5.4 for sample <paramref name="b"/> (after <see cref="Finish"/>).</summary>
    public bool Converged(int b) =>
        FinalResidual[b] < 1e-5 * _rMinusNorm[b] && FinalError[b] < 0.25 * _e0Norm[b];

    public bool Diverged(int b) => FinalResidual[b] > _rMinusNorm[b];

    public double InitialError(int b) => _e0Norm[b];

    /// <summary>Lockstep: sends u[0] = 0 stamped as each of the D steps before the batch's first firing (D the link
    /// delay); once per batch (at the first firing at the latest).</summary>
    public void EmitInitial(IOutbox outbox)
    {
        if (_initialSent) return;
        _initialSent = true;
        int d = _c?.LinkDelay ?? 1;
        for (int i = d; i >= 1; i--)
        {
            var m = outbox.Rent(MessageKind.Control, _rows);
            m.Payload.Clear();
            outbox.Send(m, Phase.Train, _firstStep - i);
        }
    }

    /// <summary>Lockstep firing: r_L[k] in, u[k+1] out (not sent after the batch's last firing).</summary>
    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        if (step < _firstStep || _c is null) return;
        long k = step - _firstStep;
        if (k != _k) throw new InvalidOperationException($"controller: firing for state {k + 1} while at state {_k}");
        if (!_initialSent) EmitInitial(outbox);
        var output = inputs[0]!.Payload;
        Step(_outputIn is null ? output : _outputIn.Resolve(step, output));
        if (_k <= _c!.Steps - 1 - _c.LinkDelay)
        {
            var m = outbox.Rent(MessageKind.Control, _rows);
            _uOut.ReadOnlySpan.CopyTo(m.Payload.Span);
            outbox.Send(m, Phase.Train, step);
        }
    }

    /// <summary>Control-plane commands of a mini-batch (<see cref="DfcCommands"/>): <c>begin</c>, <c>start</c> and <c>finish</c>.</summary>
    public NodeReply Execute(NodeCommand command, IOutbox outbox)
    {
        switch (command.Verb)
        {
            case DfcCommands.Begin:
            {
                DfcCommands.NeedNumbers(command, 2 + PhaseConstants.EncodedLength, Name);
                var c = PhaseConstants.Read(command.Numbers.AsSpan(2));
                if (c.Schedule != TransmissionSchedule.Jacobi)
                    throw new ArgumentException($"{Name}: a hosted controller runs the Jacobi schedule only, not {c.Schedule}");
                var outputMinus = DfcCommands.TensorArgument(command, 0, _n, _e0Norm.Length, Name);
                var labels = DfcCommands.TensorArgument(command, 1, _n, _e0Norm.Length, Name);
                if (labels.Rows != outputMinus.Rows) throw new ArgumentException($"{Name}: {labels.Rows} label rows for {outputMinus.Rows} outputs");
                BeginBatch(c, outputMinus, labels, DfcCommands.Step(command.Numbers[1], Name), DfcCommands.Step(command.Numbers[0], Name));
                return NodeReply.Empty;
            }
            case DfcCommands.Start:
                DfcCommands.NeedNumbers(command, 0, Name);
                if (_c is null) throw new ArgumentException($"{Name}: {command.Verb} before any {DfcCommands.Begin}");
                EmitInitial(outbox);
                return NodeReply.Empty;
            case DfcCommands.Finish:
            {
                DfcCommands.NeedNumbers(command, 0, Name);
                if (_c is null) throw new ArgumentException($"{Name}: {command.Verb} before any batch began");
                if (_k != _c.Steps - 1) throw new ArgumentException($"{Name}: {command.Verb} at state {_k} of {_c.Steps - 1}");
                var final = DfcCommands.TensorArgument(command, 0, _n, _e0Norm.Length, Name);
                if (final.Rows != _rows) throw new ArgumentException($"{Name}: final output has {final.Rows} rows, the batch {_rows}");
                Finish(final);
                return new NodeReply(Report());
            }
            default:
                throw new ArgumentException($"{Name}: unknown command '{command.Verb}' (known: {DfcCommands.Begin}, {DfcCommands.Start}, {DfcCommands.Finish})");
        }
    }

    /// <summary>Per sample ‖e[0]‖, ‖e[T−1]‖, converged and diverged (1/0), then the output link's
    /// <see cref="LinkCounts"/> (<see cref="LinkCounts.EncodedLength"/> numbers), after <see cref="Finish"/>.</summary>
    public double[] Report()
    {
        var r = new double[4 * _rows + LinkCounts.EncodedLength];
        LinkCounts.Write(r.AsSpan(4 * _rows));
        for (int b = 0; b < _rows; b++)
        {
            r[4 * b] = _e0Norm[b];
            r[4 * b + 1] = FinalError[b];
            r[4 * b + 2] = Converged(b) ? 1 : 0;
            r[4 * b + 3] = Diverged(b) ? 1 : 0;
        }
        return r;
    }

    private void Error(ReadOnlySpan<float> r)
    {
        bool softmax = _c!.SoftmaxError;
        Span<double> p = stackalloc double[_n];
        for (int b = 0; b < _rows; b++)
        {
            int o = b * _n;
            if (softmax)
            {
                Softmax(r.Slice(o, _n), p);
                for (int j = 0; j < _n; j++) _e[o + j] = _target[o + j] - p[j];
            }
            else
                for (int j = 0; j < _n; j++) _e[o + j] = _target[o + j] - r[o + j];
        }
    }

    private static void Softmax(ReadOnlySpan<float> x, Span<double> p)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < x.Length; j++) if (x[j] > max) max = x[j];
        double sum = 0;
        for (int j = 0; j < x.Length; j++) { p[j] = Math.Exp(x[j] - max); sum += p[j]; }
        for (int j = 0; j < x.Length; j++) p[j] /= sum;
    }

    private static double Norm(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += v * v;
        return Math.Sqrt(s);
    }
}
