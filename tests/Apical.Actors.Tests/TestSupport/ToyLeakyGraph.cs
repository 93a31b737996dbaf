using Apical.Core.Data;
using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>
/// A toy continuous-time rule for runtime tests (not a product rule): a sine source, a chain of leaky integrators
/// v ← v + dt (−v + tanh(W x)) with seeded weights, and a readout that records what reaches it. Every link gets
/// the config's delay, jitter and loss. Registered as <see cref="Name"/> through <see cref="GraphBuilders"/>, the
/// same way a product rule registers its builder.
/// </summary>
internal sealed class ToyLeakyGraph : IGraphBuilder
{
    public const string Name = "toy-leaky";
    private static readonly object Gate = new();
    private static bool _registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            GraphBuilders.Register(Name, new ToyLeakyGraph());
            _registered = true;
        }
    }

    /// <summary>A run of the toy rule: input width, the leaky layers' widths, minibatch rows and the link model.</summary>
    public static RunConfig Config(int[] widths, int rows, int delay, int jitter = 0, double loss = 0, ulong seed = 5)
    {
        var layers = new List<LayerSpec>();
        for (int i = 1; i < widths.Length; i++) layers.Add(new LayerSpec { Out = widths[i] });
        return new RunConfig
        {
            Name = "toy",
            Seed = seed,
            Rule = RuleKind.Gle,
            Data = new DataSpec(),
            Network = new NetworkSpec { Input = widths[0], Layers = layers },
            BatchSize = rows,
            Engine = new EngineSpec { Delay = delay, Jitter = jitter, Loss = loss },
            Evaluation = new EvaluationSpec { BatchSize = rows },
        };
    }

    public static Topology Build(RunConfig c) => new ToyLeakyGraph().Build(c, default);

    public Topology Build(RunConfig c, GraphShape shape)
    {
        int rows = c.BatchSize;
        int input = c.Network.Input ?? shape.InputWidth;
        var nodes = new List<INode> { new SineSource(0, input, rows) };
        var links = new List<Link>();
        var e = c.Engine;
        int previous = input;
        for (int i = 0; i < c.Network.Layers.Count; i++)
        {
            int id = i + 1, width = c.Network.Layers[i].Out;
            var kind = i == 0 ? MessageKind.Input : MessageKind.Rates;
            nodes.Add(new ToyLeakyNode(id, previous, width, rows, kind, c.Seed, dt: 0.2f));
            links.Add(new Link(id - 1, kind, id, 0, e.Delay, e.Jitter, e.Loss));
            previous = width;
        }
        int readout = nodes.Count;
        nodes.Add(new ToyReadout(readout, previous, rows));
        links.Add(new Link(readout - 1, MessageKind.Rates, readout, 0, e.Delay, e.Jitter, e.Loss));
        return new Topology(nodes, links);
    }
}

/// <summary>Emits rows × width inputs sin(0.3 t + 0.7 i + r) at step t.</summary>
internal sealed class SineSource : INode, IStepSource
{
    private readonly int _rows;

    public SineSource(int id, int width, int rows)
    {
        Id = id;
        _rows = rows;
        Outputs = new[] { new OutputPort(MessageKind.Input, width) };
    }

    public int Id { get; }
    public string Name => "source";
    public IReadOnlyList<InputPort> Inputs => Array.Empty<InputPort>();
    public IReadOnlyList<OutputPort> Outputs { get; }
    public Schedule Schedule => Schedule.Source;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox) =>
        throw new InvalidOperationException("a source is driven by its engine");

    public void EmitStep(long step, IOutbox outbox)
    {
        var m = outbox.Rent(MessageKind.Input, _rows);
        var p = m.Payload;
        for (int r = 0; r < _rows; r++)
            for (int i = 0; i < p.Cols; i++) p[r, i] = MathF.Sin(0.3f * step + 0.7f * i + r);
        outbox.Send(m, Phase.Train, step);
    }
}

/// <summary>A leaky integrator layer: v ← v + dt (−v + tanh(W x)); emits v. Takes the command <c>scale(f)</c>
/// (multiplies W by f and answers Σ v) and refuses any other verb.</summary>
internal sealed class ToyLeakyNode : INode, IParameterized, ICommandTarget
{
    private readonly Tensor _w, _v;
    private readonly float _dt;

    public ToyLeakyNode(int id, int inWidth, int outWidth, int rows, MessageKind inputKind, ulong seed, float dt)
    {
        Id = id;
        _dt = dt;
        _w = new Tensor(outWidth, inWidth);
        var rng = CounterRng.For(seed, id, 0, RngPurpose.Init);
        rng.FillNormal(_w.Span, 0f, 1f / MathF.Sqrt(inWidth));
        _v = new Tensor(rows, outWidth);
        Inputs = new[] { new InputPort(inputKind, inWidth) };
        Outputs = new[] { new OutputPort(MessageKind.Rates, outWidth) };
        Parameters = new[] { new NamedTensor("w", _w), new NamedTensor("v", _v) };
    }

    public int Id { get; }
    public string Name => $"leaky{Id}";
    public IReadOnlyList<InputPort> Inputs { get; }
    public IReadOnlyList<OutputPort> Outputs { get; }
    public Schedule Schedule => Schedule.Lockstep;
    public IReadOnlyList<NamedTensor> Parameters { get; }

    public NodeReply Execute(NodeCommand command, IOutbox outbox)
    {
        if (command.Verb != "scale" || command.Numbers.Length != 1)
            throw new ArgumentException($"{Name}: unknown command {command}");
        var w = _w.Span;
        for (int i = 0; i < w.Length; i++) w[i] *= (float)command.Numbers[0];
        double sum = 0;
        foreach (float v in _v.ReadOnlySpan) sum += v;
        return new NodeReply(sum);
    }

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        var x = inputs[0]!.Payload;
        for (int r = 0; r < _v.Rows; r++)
        {
            var v = _v.Row(r);
            for (int o = 0; o < v.Length; o++)
            {
                float u = 0f;
                if (x.Rows > 0)
                {
                    var xr = x.Row(r);
                    var wo = _w.Row(o);
                    for (int i = 0; i < xr.Length; i++) u += wo[i] * xr[i];
                }
                v[o] += _dt * (-v[o] + MathF.Tanh(u));
            }
        }
        var m = outbox.Rent(MessageKind.Rates, _v.Rows);
        _v.ReadOnlySpan.CopyTo(m.Payload.Span);
        outbox.Send(m, phase, step);
    }
}

/// <summary>Records what reaches it: the newest input ("y"), the input of the last <see cref="TraceLength"/>
/// steps by step ("trace", row = step mod length, mean over rows), their running sum ("sum") and the steps fired.</summary>
internal sealed class ToyReadout : INode, IParameterized
{
    public const int TraceLength = 64;
    private readonly Tensor _y, _trace, _sum, _steps;

    public ToyReadout(int id, int width, int rows)
    {
        Id = id;
        _y = new Tensor(rows, width);
        _trace = new Tensor(TraceLength, width);
        _sum = new Tensor(1, width);
        _steps = new Tensor(1, 1);
        Inputs = new[] { new InputPort(MessageKind.Rates, width) };
        Parameters = new[] { new NamedTensor("y", _y), new NamedTensor("trace", _trace), new NamedTensor("sum", _sum), new NamedTensor("steps", _steps) };
    }

    public int Id { get; }
    public string Name => "readout";
    public IReadOnlyList<InputPort> Inputs { get; }
    public IReadOnlyList<OutputPort> Outputs => Array.Empty<OutputPort>();
    public Schedule Schedule => Schedule.Lockstep;
    public IReadOnlyList<NamedTensor> Parameters { get; }

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        var x = inputs[0]!.Payload;
        var row = _trace.Row((int)(step % TraceLength));
        row.Clear();
        if (x.Rows > 0)
        {
            x.ReadOnlySpan.CopyTo(_y.Span);
            for (int r = 0; r < x.Rows; r++)
            {
                var xr = x.Row(r);
                for (int i = 0; i < row.Length; i++) row[i] += xr[i] / x.Rows;
            }
        }
        var sum = _sum.Row(0);
        for (int i = 0; i < sum.Length; i++) sum[i] += row[i];
        _steps[0, 0] = step + 1;
    }
}
