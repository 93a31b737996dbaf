using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// The control plane of a DFC mini-batch (spec 13) as node commands, so a coordinator drives layers and the
/// controller wherever they are hosted:
/// <list type="number">
/// <item><see cref="Settle"/> to layers 1..L in order, each with the rates the one below answered (x for layer 1): the
/// feedforward pass; layer L's answer is r_L^-. Evaluation is this relay alone.</item>
/// <item><see cref="Begin"/> to every layer and to the controller (with r_L^- and the labels); once all have begun,
/// <see cref="Start"/> to every node: the layers send their state-0 rates, the controller u[0] = 0, and the T − 1
/// Jacobi steps run as plain tensor messages. (Two rounds, because a node must not receive a message of the new
/// batch before its own begin: the controller and layer 1 could fire on one neighbour's initial message.)</item>
/// <item>Once every node has fired its last step: <see cref="End"/> to every layer (gradients, optimiser step;
/// layer L answers r_L[T−1]), then <see cref="Finish"/> to the controller with r_L[T−1] (convergence diagnostics).</item>
/// </list>
/// </summary>
public static class DfcCommands
{
    /// <summary>Layer: tensors [pre-synaptic rates (x for layer 1)]; answers tensors [r].</summary>
    public const string Settle = "settle";
    /// <summary>Layer: numbers [batch serial, first step, phase constants…]. Controller: numbers [batch serial, first
    /// step, phase constants…], tensors [r_L^-, labels].</summary>
    public const string Begin = "begin";
    /// <summary>Layer or controller, after every node's <see cref="Begin"/>: send the batch's initial message (unless the
    /// node has already fired: a node whose inputs arrive first sends it at its first firing).</summary>
    public const string Start = "start";
    /// <summary>Layer: numbers [apply (0/1)]; answers numbers [control effort, feedback ratio, Q finite (0/1), then
    /// the input links' <see cref="LinkCounts"/>] and, from
    /// the output layer, tensors [r_L[T−1]].</summary>
    public const string End = "end";
    /// <summary>Controller: tensors [r_L[T−1]]; answers numbers [‖e[0]‖, ‖e[T−1]‖, converged, diverged] per sample,
    /// then the output link's <see cref="LinkCounts"/>.</summary>
    public const string Finish = "finish";

    public static NodeCommand SettleLayer(Tensor pre) => new(Settle, Array.Empty<double>(), new[] { TensorData.From(pre) });

    public static NodeCommand BeginLayer(PhaseConstants c, long batchSerial, long firstStep)
    {
        var n = new double[2 + PhaseConstants.EncodedLength];
        n[0] = batchSerial;
        n[1] = firstStep;
        c.Write(n.AsSpan(2));
        return new NodeCommand(Begin, n, Array.Empty<TensorData>());
    }

    public static NodeCommand BeginController(PhaseConstants c, long batchSerial, long firstStep, Tensor outputMinus, Tensor labels)
    {
        var n = new double[2 + PhaseConstants.EncodedLength];
        n[0] = batchSerial;
        n[1] = firstStep;
        c.Write(n.AsSpan(2));
        return new NodeCommand(Begin, n, new[] { TensorData.From(outputMinus), TensorData.From(labels) });
    }

    public static NodeCommand StartNode() => new(Start);

    public static NodeCommand EndLayer(bool apply) => new(End, apply ? 1 : 0);

    public static NodeCommand FinishController(Tensor finalOutput) => new(Finish, Array.Empty<double>(), new[] { TensorData.From(finalOutput) });

    /// <summary>The tensor argument <paramref name="index"/> of <paramref name="command"/>, checked against the
    /// expected width and the node's batch capacity (read-only view of the command's values).</summary>
    internal static Tensor TensorArgument(NodeCommand command, int index, int cols, int capacity, string node)
    {
        if (command.Tensors.Length <= index)
            throw new ArgumentException($"{node}: command {command.Verb} needs {index + 1} tensor(s), got {command.Tensors.Length}");
        var d = command.Tensors[index];
        if (d.Cols != cols || d.Rows < 1 || d.Rows > capacity || d.Values.Length != d.Rows * d.Cols)
            throw new ArgumentException($"{node}: command {command.Verb}: tensor {index} is {d.Rows} × {d.Cols} ({d.Values.Length} values); expected 1..{capacity} rows of {cols}");
        return new Tensor(d.Rows, d.Cols, d.Values);
    }

    internal static void NeedNumbers(NodeCommand command, int count, string node)
    {
        if (command.Numbers.Length != count)
            throw new ArgumentException($"{node}: command {command.Verb} takes {count} numbers, got {command.Numbers.Length}");
    }

    internal static long Step(double v, string node)
    {
        if (v != Math.Floor(v) || v < 0 || v > 1e15) throw new ArgumentException($"{node}: {v} is not a step or batch number");
        return (long)v;
    }
}
