namespace Apical.Core.Rules.Dfc;

/// <summary>
/// What the nodes report at the end of one mini-batch simulation (spec 14): per sample the controller's ‖e[0]‖,
/// ‖e[T−1]‖ and convergence verdicts, per layer Σ_b ‖Q_l u‖², ‖Q_l u‖/‖v^ff_l‖, whether Q is finite and ‖g_W‖ before
/// clipping. Filled from the node objects in-process and from the nodes' command replies on the actor runtime;
/// preallocated, reused.
/// </summary>
public sealed class DfcBatchStats
{
    public DfcBatchStats(int batchCapacity, IReadOnlyList<int> layerWidths)
    {
        InitialError = new double[batchCapacity];
        FinalError = new double[batchCapacity];
        Converged = new bool[batchCapacity];
        Diverged = new bool[batchCapacity];
        Widths = layerWidths.ToArray();
        ControlEffort = new double[Widths.Length];
        FeedbackRatio = new double[Widths.Length];
        WeightGradientNorm = new double[Widths.Length];
        _layerLinks = new LinkCounts[Widths.Length];
    }

    /// <summary>Samples in the batch.</summary>
    public int Rows { get; private set; }
    public double[] InitialError { get; }
    public double[] FinalError { get; }
    public bool[] Converged { get; }
    public bool[] Diverged { get; }
    /// <summary>n_l per layer.</summary>
    public int[] Widths { get; }
    public double[] ControlEffort { get; }
    public double[] FeedbackRatio { get; }
    /// <summary>‖g_W‖_F per layer before clipping; NaN when the batch did not step W.</summary>
    public double[] WeightGradientNorm { get; }

    /// <summary>Numbers in a layer's <see cref="DfcCommands.End"/> reply: control effort, feedback ratio, Q finite,
    /// ‖g_W‖, then the link counts.</summary>
    public const int LayerReplyLength = 4 + LinkCounts.EncodedLength;

    /// <summary>What the jittery or lossy links did in the batch, summed over every node's inputs.</summary>
    public LinkCounts Links => _links;
    private readonly LinkCounts[] _layerLinks;
    private LinkCounts _controllerLinks, _links;

    /// <summary>Every layer's Q is finite after the batch's update.</summary>
    public bool FeedbackFinite { get; private set; } = true;

    /// <summary>Reads the controller after <see cref="PiController.Finish"/>.</summary>
    public void ReadController(PiController controller)
    {
        Rows = 0;
        _controllerLinks = default;
        AppendController(controller);
    }

    /// <summary>Appends the rows of a second controller, which ran the rows after the ones read so far
    /// (<see cref="RowSplitSweep"/>); its link counts add to the first's.</summary>
    public void AppendController(PiController controller)
    {
        int first = Rows;
        if (first + controller.Rows > InitialError.Length)
            throw new ArgumentException($"{first} + {controller.Rows} controller rows exceed the batch capacity {InitialError.Length}");
        for (int b = 0; b < controller.Rows; b++)
        {
            InitialError[first + b] = controller.InitialError(b);
            FinalError[first + b] = controller.FinalError[b];
            Converged[first + b] = controller.Converged(b);
            Diverged[first + b] = controller.Diverged(b);
        }
        Rows = first + controller.Rows;
        _controllerLinks.Add(controller.LinkCounts);
        SumLinks();
    }

    /// <summary>Reads the controller's <see cref="DfcCommands.Finish"/> reply (<see cref="PiController.Report"/>).</summary>
    public void ReadController(ReadOnlySpan<double> report)
    {
        int perSample = report.Length - LinkCounts.EncodedLength;
        if (perSample < 0 || perSample % 4 != 0 || perSample / 4 > InitialError.Length)
            throw new ArgumentException($"controller report of {report.Length} numbers: expected 4 per sample, at most {InitialError.Length} samples, "
                + $"and {LinkCounts.EncodedLength} link counts");
        Rows = perSample / 4;
        for (int b = 0; b < Rows; b++)
        {
            InitialError[b] = report[4 * b];
            FinalError[b] = report[4 * b + 1];
            Converged[b] = report[4 * b + 2] != 0;
            Diverged[b] = report[4 * b + 3] != 0;
        }
        _controllerLinks = LinkCounts.Read(report.Slice(perSample));
        SumLinks();
    }

    public void ReadLayers(IReadOnlyList<DfcLayer> layers)
    {
        bool finite = true;
        for (int l = 0; l < layers.Count; l++)
        {
            ControlEffort[l] = layers[l].ControlEffort;
            FeedbackRatio[l] = layers[l].FeedbackRatio;
            WeightGradientNorm[l] = layers[l].WeightGradientNorm;
            finite &= layers[l].FeedbackWeightsFinite();
            _layerLinks[l] = layers[l].LinkCounts;
        }
        FeedbackFinite = finite;
        SumLinks();
    }

    /// <summary>Reads layer <paramref name="layer"/>'s (0-based) <see cref="DfcCommands.End"/> reply.</summary>
    public void ReadLayer(int layer, ReadOnlySpan<double> reply)
    {
        if (reply.Length != LayerReplyLength)
            throw new ArgumentException($"layer {layer + 1}: end-of-batch reply of {reply.Length} numbers, expected {LayerReplyLength}");
        if (layer == 0) FeedbackFinite = true;
        ControlEffort[layer] = reply[0];
        FeedbackRatio[layer] = reply[1];
        if (reply[2] == 0) FeedbackFinite = false;
        WeightGradientNorm[layer] = reply[3];
        _layerLinks[layer] = LinkCounts.Read(reply.Slice(4));
        SumLinks();
    }

    private void SumLinks()
    {
        _links = _controllerLinks;
        foreach (var l in _layerLinks) _links.Add(l);
    }
}
