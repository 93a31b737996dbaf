using Apical.Core.Data.Streams;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// The data source of a GLE run (node 0): at each of its steps it emits one input value per row (<c>Input</c>,
/// B × n₀) and, optionally, the target of that step (<c>Target</c>, B × n_L). Its links have delay 1, so layer 1
/// and the output layer consume source step s at their step s + 1.
/// <para>As an <see cref="IStepSource"/> it streams what its session set before the engine runs: a minibatch of
/// whole samples (<see cref="SetBatch"/>, sample step t of the batch = source step first + t, <c>channels</c> values
/// per step) or a generated stream (<see cref="SetStream"/>). The engine calls <see cref="EmitStep"/> from its own
/// thread (an actor on the actor runtime) while the session waits in <c>Run</c>, so the session changes the data
/// only between runs.</para>
/// </summary>
public sealed class GleStreamSource : INode, IStepSource
{
    private readonly OutputPort[] _outputs;
    private Tensor? _x, _y;
    private long _first;
    private Phase _phase;
    private IStreamTask? _task;

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
        throw new InvalidOperationException("the stream source is driven by its engine, not fired");

    /// <summary>Streams a minibatch from source step <paramref name="first"/> on: <paramref name="x"/> holds one
    /// sample per row (steps × <see cref="InputWidth"/> values, step-major), <paramref name="y"/> its target for
    /// every step (needed when this source carries targets). The tensors are read while the engine runs.</summary>
    public void SetBatch(long first, Phase phase, Tensor x, Tensor? y)
    {
        if (x.Cols % InputWidth != 0)
            throw new ArgumentException($"a sample of {x.Cols} values is not a whole number of steps of {InputWidth} values");
        if (TargetWidth > 0 && (y is null || y.Rows != x.Rows || y.Cols != TargetWidth))
            throw new ArgumentException($"the source needs a target of {x.Rows} x {TargetWidth}, got {y?.ToString() ?? "none"}");
        _x = x;
        _y = y;
        _first = first;
        _phase = phase;
        _task = null;
    }

    /// <summary>Streams <paramref name="task"/> (training phase; its rows are the minibatch) until set otherwise.</summary>
    public void SetStream(IStreamTask task)
    {
        if (task.Width != InputWidth) throw new ArgumentException($"the stream has {task.Width} values per step, the source {InputWidth}");
        _task = task;
        _x = _y = null;
        _phase = Phase.Train;
    }

    public void EmitStep(long step, IOutbox outbox)
    {
        if (_task is { } task)
        {
            if (TargetWidth > 0) throw new InvalidOperationException("a generated stream carries no targets; the run needs a teacher");
            var m = outbox.Rent(MessageKind.Input, task.Rows);
            task.Fill(step, m.Payload);
            outbox.Send(m, _phase, step);
            return;
        }
        var x = _x ?? throw new InvalidOperationException($"source step {step}: no batch was set");
        int width = InputWidth, steps = x.Cols / width;
        long t = step - _first;
        if (t < 0 || t >= steps)
            throw new InvalidOperationException($"source step {step} lies outside the batch set for steps {_first} … {_first + steps - 1}");
        int rows = x.Rows, col = (int)t * width, stride = x.Cols;
        var mx = outbox.Rent(MessageKind.Input, rows);
        var dst = mx.Payload.Span;
        var src = x.ReadOnlySpan;
        if (width == 1)
            for (int r = 0; r < rows; r++) dst[r] = src[r * stride + col];
        else
            for (int r = 0; r < rows; r++) src.Slice(r * stride + col, width).CopyTo(dst.Slice(r * width, width));
        outbox.Send(mx, _phase, step);
        if (TargetWidth == 0) return;
        var my = outbox.Rent(MessageKind.Target, rows);
        _y!.ReadOnlySpan.CopyTo(my.Payload.Span);
        outbox.Send(my, _phase, step);
    }

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
