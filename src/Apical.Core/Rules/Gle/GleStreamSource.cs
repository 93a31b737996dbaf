using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// The data source of a GLE run: at each of its steps it emits one input value per row (<c>Input</c>,
/// B × n₀) and, optionally, the target of that step (<c>Target</c>, B × n_L). Driven from outside the graph;
/// its links have delay 1, so layer 1 and the output layer consume source step s at their step s + 1.
/// </summary>
public sealed class GleStreamSource : INode
{
    private readonly OutputPort[] _outputs;

    public GleStreamSource(int id, int inputWidth, int targetWidth)
    {
        Id = id;
        InputWidth = inputWidth;
        TargetWidth = targetWidth;
        _outputs = targetWidth > 0
            ? [new OutputPort(MessageKind.Input, inputWidth), new OutputPort(MessageKind.Target, targetWidth)]
            : [new OutputPort(MessageKind.Input, inputWidth)];
    }

    public int Id { get; }
    public string Name => "source";
    public int InputWidth { get; }
    /// <summary>0 when the target comes from a teacher network instead.</summary>
    public int TargetWidth { get; }
    public IReadOnlyList<InputPort> Inputs => Array.Empty<InputPort>();
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Source;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox) =>
        throw new InvalidOperationException("the stream source is driven by its session, not fired");

    /// <summary>Emits x (rows × n₀) and, if this source carries targets, y (rows × n_L), stamped <paramref name="step"/>.</summary>
    public void Emit(long step, Phase phase, Tensor x, Tensor? y, IOutbox outbox)
    {
        var mx = outbox.Rent(MessageKind.Input, x.Rows);
        x.ReadOnlySpan.CopyTo(mx.Payload.Span);
        outbox.Send(mx, phase, step);
        if (TargetWidth == 0) return;
        if (y is null || y.Rows != x.Rows) throw new ArgumentException($"the source needs a target of {x.Rows} rows");
        var my = outbox.Rent(MessageKind.Target, y.Rows);
        y.ReadOnlySpan.CopyTo(my.Payload.Span);
        outbox.Send(my, phase, step);
    }
}
