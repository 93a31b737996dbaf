using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// A DFC or Strong-DFC mini-batch under the sweep (wake, sleep, pre-training or single phase), simulated as two row
/// halves at once. Samples do not interact during the dynamics (each layer, the controller, the apical noise of each
/// row (<see cref="ApicalNoise"/>) and the forward and feedback rules' sums are per sample until the end of the batch), so
/// rows [0, h) run on the calling thread with the network's own layers while rows [h, B) run on a second thread with
/// a partner network that shares W, b and Q (<see cref="DfcNetwork.RowPartner"/>). At the end the partner's
/// forward- and feedback-rule sums and diagnostics are added into the network's layers in a fixed order, and the
/// network takes one optimiser step, as after an unsplit batch.
/// <para>
/// Why: under the sweep a batch's dynamics are one chain of dependent steps (layer l needs layer l − 1's new rate), so
/// an unsplit batch can hand the second core only the forward rule's GEMMs, about two thirds of a core's work. With
/// halves each core runs the dynamics and the forward rule of its own rows.
/// </para>
/// <para>
/// The split belongs to the definition of the result, not to the machine: every eligible batch is split the same way
/// (h = ⌊B/2⌋), on one processor too (the halves then run in turn), so a run has the same bits everywhere. The forward
/// and feedback rules sum each half's products before adding the halves: a different float32 summation order than an
/// unsplit batch, which the probe and the lockstep Jacobi schedule (in-process and on actors) still run. Every
/// per-sample quantity, noise included, has the bits of the unsplit batch. Not under jitter or loss (their link
/// models draw per batch, not per row), and only for at least two rows.
/// </para>
/// </summary>
internal sealed class RowSplitSweep
{
    private static readonly Lazy<ChunkThread> SecondThread = new(() => ChunkThread.Dedicated("dfc-row-split"));

    private readonly DfcSimulator _main, _partner;
    private readonly Tensor _x0, _x1, _y0, _y1;
    private readonly ChunkWorker? _worker; // runs the partner's half; null on one processor (the halves run in turn)
    private PhaseConstants? _c;
    private long _serial;

    /// <param name="main">the simulator of the run's network; its layers take the steps.</param>
    /// <param name="rows">the largest mini-batch to split.</param>
    /// <param name="parallel">simulate the halves on two threads (else in turn; the same bits).</param>
    public RowSplitSweep(DfcSimulator main, int rows, bool parallel)
    {
        if (rows < 2) throw new ArgumentOutOfRangeException(nameof(rows), $"a split needs at least 2 rows, got {rows}");
        _main = main;
        var net = main.Network;
        int half = (rows + 1) / 2;
        _partner = new DfcSimulator(net.RowPartner(half), half);
        int inWidth = net.Layers[0].Options.InSize, n = net.Output.Options.OutSize;
        _x0 = new Tensor(half, inWidth);
        _x1 = new Tensor(half, inWidth);
        _y0 = new Tensor(half, n);
        _y1 = new Tensor(half, n);
        OutputMinus = new Tensor(rows, n);
        Capacity = rows;
        if (parallel) _worker = new ChunkWorker(SimulatePartner, SecondThread.Value, "the second row half of a split DFC mini-batch");
    }

    /// <summary>Rows of the largest batch this split takes.</summary>
    public int Capacity { get; }

    /// <summary>r_L^- of the last split batch, all rows in order.</summary>
    public Tensor OutputMinus { get; }

    /// <summary>Whether a batch of <paramref name="rows"/> in phase <paramref name="c"/> may be split.</summary>
    public bool Applies(PhaseConstants c, int rows) =>
        c.Schedule == TransmissionSchedule.Sweep && (c.LearnForward || c.LearnFeedback)
        && !_main.Network.Links.Enabled && rows >= 2 && rows <= Capacity;

    /// <summary>Simulates both halves, merges them into the network's layers, steps the optimisers and fills
    /// <paramref name="stats"/> with every row's controller verdicts and the layers' diagnostics.</summary>
    public void Run(PhaseConstants c, Tensor x, Tensor labels, long batchSerial, DfcBatchStats stats)
    {
        int rows = x.Rows;
        if (!Applies(c, rows)) throw new ArgumentException($"a {c.Phase} batch of {rows} rows under {c.Schedule} cannot be split by rows");
        if (labels.Rows != rows) throw new ArgumentException($"{labels.Rows} label rows for {rows} input rows");
        int h = rows / 2;
        CopyRows(x, 0, h, _x0);
        CopyRows(x, h, rows - h, _x1);
        CopyRows(labels, 0, h, _y0);
        CopyRows(labels, h, rows - h, _y1);
        (_c, _serial) = (c, batchSerial);
        var layers = _main.Network.Layers;
        foreach (var l in _partner.Network.Layers) l.RowOffset = h;
        foreach (var l in layers) l.CallingThreadOnly = true;
        try
        {
            if (_worker is null)
            {
                _main.Simulate(c, _x0, _y0, batchSerial);
                SimulatePartner();
            }
            else
            {
                _worker.Start();
                try { _main.Simulate(c, _x0, _y0, batchSerial); }
                finally { _worker.WaitIdle(); }
            }
        }
        finally
        {
            foreach (var l in layers) l.CallingThreadOnly = false;
        }

        var partners = _partner.Network.Layers;
        for (int l = 0; l < layers.Count; l++) layers[l].AbsorbRows(partners[l], x);
        foreach (var l in layers) l.EndBatch(apply: true);

        OutputMinus.SetRows(rows);
        var om = OutputMinus.Span;
        _main.OutputMinus.ReadOnlySpan.CopyTo(om);
        _partner.OutputMinus.ReadOnlySpan.CopyTo(om.Slice(_main.OutputMinus.Length));
        stats.ReadController(_main.Network.Controller);
        stats.AppendController(_partner.Network.Controller);
        stats.ReadLayers(layers);
    }

    private void SimulatePartner() => _partner.Simulate(_c!, _x1, _y1, _serial);

    private static void CopyRows(Tensor from, int first, int count, Tensor to)
    {
        to.SetRows(count);
        from.ReadOnlySpan.Slice(first * from.Cols, count * from.Cols).CopyTo(to.Span);
    }
}
