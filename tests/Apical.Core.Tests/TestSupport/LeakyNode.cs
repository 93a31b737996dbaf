using Apical.Core.Model;

namespace Apical.Core.Tests.TestSupport;

/// <summary>A continuous-time toy layer for lockstep tests: v ← v + dt(−v + w·x), emits v as rates.</summary>
internal sealed class LeakyNode : INode
{
    private readonly InputPort[] _inputs;
    private readonly OutputPort[] _outputs;
    private readonly float _dt;
    private readonly float _w;

    public LeakyNode(int id, int width, float dt, float w, MessageKind inputKind = MessageKind.Rates)
    {
        Id = id;
        _dt = dt;
        _w = w;
        State = new float[width];
        _inputs = new[] { new InputPort(inputKind, width) };
        _outputs = new[] { new OutputPort(MessageKind.Rates, width) };
    }

    public int Id { get; }
    public string Name => $"leaky{Id}";
    public float[] State { get; }
    public List<long> FiredSteps { get; } = new();
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Lockstep;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        var x = inputs[0]!.Payload;
        for (int i = 0; i < State.Length; i++)
        {
            float xi = x.Rows == 0 ? 0f : x[0, i];
            State[i] += _dt * (-State[i] + _w * xi);
        }
        FiredSteps.Add(step);
        var m = outbox.Rent(MessageKind.Rates, 1);
        State.AsSpan().CopyTo(m.Payload.Row(0));
        outbox.Send(m, phase, step);
    }
}

/// <summary>A source node for lockstep tests: emits what the test gives it.</summary>
internal sealed class ManualSource : INode
{
    public ManualSource(int id, int width) { Id = id; Outputs = new[] { new OutputPort(MessageKind.Input, width) }; }
    public int Id { get; }
    public string Name => "source";
    public IReadOnlyList<InputPort> Inputs => Array.Empty<InputPort>();
    public IReadOnlyList<OutputPort> Outputs { get; }
    public Schedule Schedule => Schedule.Source;
    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox) =>
        throw new InvalidOperationException();
}
