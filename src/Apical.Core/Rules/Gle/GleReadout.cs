using System.Numerics.Tensors;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// The output/loss node: at step k it consumes the output seen at step k (the output layer's rate stamped
/// k − 1) and the target of step k, and accumulates per phase (the phase of the target).
/// <list type="bullet">
/// <item>Classification (<c>stepsPerSample</c> &gt; 0): loss = cross-entropy of softmax(out_k) against the target,
/// averaged over rows and steps; readout = argmax over classes of Σ_k out_k over the sample's steps.</item>
/// <item>Regression: loss = mean over rows of Σ_j (y_k − out_k)² (no ½, no β), per step.</item>
/// </list>
/// </summary>
public sealed class GleReadout : INode, ICommandTarget
{
    private readonly InputPort[] _inputs;
    private readonly int _width, _stepsPerSample;
    private readonly Tensor _sum, _tile;
    private readonly Tensor _exp;
    private readonly float[] _max;
    private readonly Tally[] _tally = new Tally[3];
    private int _pos;

    public GleReadout(int id, int width, int stepsPerSample, int batchCapacity)
    {
        Id = id;
        _width = width;
        _stepsPerSample = stepsPerSample;
        _inputs = [new InputPort(MessageKind.Output, width), new InputPort(MessageKind.Target, width)];
        _sum = new Tensor(batchCapacity, width);
        _tile = new Tensor(batchCapacity, width);
        _exp = new Tensor(batchCapacity, width);
        _max = new float[batchCapacity];
    }

    public int Id { get; }
    public string Name => "readout";
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => Array.Empty<OutputPort>();
    public Schedule Schedule => Schedule.Lockstep;

    /// <summary>Loss of the last step (regression: mean over rows of the squared error).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>The step of the last firing that saw a target.</summary>
    public long LastStep { get; private set; } = -1;

    /// <summary>Output seen at the last step (rows of the target).</summary>
    public Tensor LastOutput => _tile;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        var target = inputs[1]!;
        var y = target.Payload;
        int rows = y.Rows;
        if (rows == 0) return;
        LastStep = step;
        var o = inputs[0]!.Payload;
        _tile.SetRows(rows);
        if (o.Rows == 0) _tile.Clear();
        else if (o.Rows == rows) o.ReadOnlySpan.CopyTo(_tile.Span);
        else for (int b = 0; b < rows; b++) o.Row(b % o.Rows).CopyTo(_tile.Row(b));

        ref var t = ref _tally[(int)target.Phase];
        double loss = 0;
        if (_stepsPerSample <= 0)
        {
            for (int b = 0; b < rows; b++)
            {
                var yr = y.Row(b); var orow = _tile.Row(b);
                for (int j = 0; j < _width; j++) { double d = yr[j] - orow[j]; loss += d * d; }
            }
            LastLoss = loss / rows;
            t.Loss += LastLoss;
            t.Count++;
            return;
        }

        if (_pos == 0) { _sum.SetRows(rows); _sum.Clear(); }
        else if (_sum.Rows != rows) throw new InvalidOperationException($"readout: batch changed from {_sum.Rows} to {rows} rows within a sample");
        // Cross-entropy of softmax(out) per row: a few classes per row, so plain loops around one vectorised exp.
        TensorPrimitives.Add(_sum.ReadOnlySpan, _tile.ReadOnlySpan, _sum.Span);
        _exp.SetRows(rows);
        var o2 = _tile.Data;
        var ex = _exp.Data;
        var yd = y.Data;
        int w = _width;
        for (int b = 0; b < rows; b++)
        {
            int at = b * w;
            float max = o2[at];
            for (int j = 1; j < w; j++) if (o2[at + j] > max) max = o2[at + j];
            _max[b] = max;
            for (int j = 0; j < w; j++) ex[at + j] = o2[at + j] - max;
        }
        TensorPrimitives.Exp(_exp.ReadOnlySpan, _exp.Span);
        for (int b = 0; b < rows; b++)
        {
            int at = b * w;
            float z = 0, ySum = 0, yDot = 0;
            for (int j = 0; j < w; j++)
            {
                z += ex[at + j];
                ySum += yd[at + j];
                yDot += yd[at + j] * o2[at + j];
            }
            loss += (_max[b] + Math.Log(z)) * ySum - yDot;
        }
        LastLoss = loss / rows;
        t.Loss += LastLoss;
        t.Count++;
        if (++_pos < _stepsPerSample) return;
        _pos = 0;
        for (int b = 0; b < rows; b++)
            if (TensorPrimitives.IndexOfMax(_sum.Row(b)) == TensorPrimitives.IndexOfMax(y.Row(b))) t.Correct++;
        t.Samples += rows;
    }

    /// <summary>Mean loss per step (and row) and accuracy of a phase since the last call; resets that phase.</summary>
    public (double Loss, double Accuracy, long Samples) Take(Phase phase)
    {
        var t = _tally[(int)phase];
        _tally[(int)phase] = default;
        return (t.Count > 0 ? t.Loss / t.Count : double.NaN, t.Samples > 0 ? (double)t.Correct / t.Samples : double.NaN, t.Samples);
    }

    /// <summary><see cref="GleCommands.Take"/>, <see cref="GleCommands.LastLoss"/> and <see cref="GleCommands.LastOutput"/>.</summary>
    public NodeReply Execute(NodeCommand command, IOutbox outbox)
    {
        switch (command.Verb)
        {
            case GleCommands.Take:
            {
                var (loss, accuracy, samples) = Take((Phase)GleCommands.IntArgument(command, Name, 0, 2));
                return new NodeReply(loss, accuracy, samples);
            }
            case GleCommands.LastLoss:
                NoArguments(command);
                return new NodeReply(LastLoss, LastStep);
            case GleCommands.LastOutput:
                NoArguments(command);
                return new NodeReply([LastStep], [TensorData.From(_tile)]);
            default:
                throw GleCommands.Unknown(command, Name, $"{GleCommands.Take}, {GleCommands.LastLoss}, {GleCommands.LastOutput}");
        }
    }

    private void NoArguments(NodeCommand command)
    {
        if (command.Numbers.Length != 0 || command.Tensors.Length != 0) throw new ArgumentException($"{Name}: {command.Verb} takes no arguments");
    }

    private struct Tally
    {
        public double Loss;
        public long Count;
        public long Correct;
        public long Samples;
    }
}
