using Apical.Core.Losses;
using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Nodes;

/// <summary>
/// Compares the network output with the target: accumulates loss and accuracy per phase and, in training,
/// sends ∂(mean loss)/∂y back as <c>Feedback</c> (to the output layer for BP/FA, to every layer for DFA —
/// the topology decides). A non-finite loss stops the run with the step and value.
/// </summary>
public sealed class LossNode : INode
{
    private readonly InputPort[] _inputs;
    private readonly OutputPort[] _outputs;
    private readonly double[] _loss = new double[3];
    private readonly long[] _correct = new long[3];
    private readonly long[] _count = new long[3];

    public LossNode(int id, int width, LossKind loss, bool classification, int pipelineDepth, bool sendsFeedback = true)
    {
        Id = id;
        Loss = loss;
        Classification = classification;
        _inputs = new[] { new InputPort(MessageKind.Output, width), new InputPort(MessageKind.Target, width) };
        _outputs = sendsFeedback ? new[] { new OutputPort(MessageKind.Feedback, width) } : Array.Empty<OutputPort>();
        Schedule = Schedule.Pipelined(pipelineDepth);
    }

    public int Id { get; }
    public string Name => "loss";
    public LossKind Loss { get; }
    public bool Classification { get; }
    public IReadOnlyList<InputPort> Inputs => _inputs;
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule { get; }

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
    {
        var y = inputs[0]!.Payload;
        var t = inputs[1]!.Payload;
        if (y.Rows != t.Rows)
            throw new InvalidOperationException($"loss: minibatch {step} has {y.Rows} outputs but {t.Rows} targets");
        Message? grad = phase == Phase.Train && _outputs.Length > 0 ? outbox.Rent(MessageKind.Feedback, y.Rows) : null;
        double loss = LossFunctions.Evaluate(Loss, y, t, grad?.Payload);
        if (!double.IsFinite(loss))
        {
            grad?.Release();
            throw new DivergenceException(Name, step, loss, $"the {phase} loss of minibatch {step} is {loss}");
        }
        int p = (int)phase;
        _loss[p] += loss;
        _count[p] += y.Rows;
        if (Classification) _correct[p] += LossFunctions.CountCorrect(y, t);
        if (grad is not null) outbox.Send(grad, phase, step);
    }

    /// <summary>Mean loss and accuracy of a phase since the last call, then resets that phase.</summary>
    public (double Loss, double Accuracy, long Samples) Take(Phase phase)
    {
        int p = (int)phase;
        long n = _count[p];
        var result = n == 0
            ? (double.NaN, double.NaN, 0L)
            : (_loss[p] / n, Classification ? (double)_correct[p] / n : double.NaN, n);
        _loss[p] = 0; _correct[p] = 0; _count[p] = 0;
        return result;
    }

    /// <summary>Running mean loss and accuracy of a phase, without resetting (progress display).</summary>
    public (double Loss, double Accuracy) Peek(Phase phase)
    {
        int p = (int)phase;
        long n = _count[p];
        return n == 0 ? (double.NaN, double.NaN) : (_loss[p] / n, Classification ? (double)_correct[p] / n : double.NaN);
    }
}
