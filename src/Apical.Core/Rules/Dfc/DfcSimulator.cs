using Apical.Core.Engine;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// Runs one mini-batch simulation of a <see cref="DfcNetwork"/> (spec 5): the feedforward settle sweep, T − 1
/// Euler steps under the phase's schedule, then the end-of-batch learning step.
/// <list type="bullet">
/// <item>Sweep (reference; in-process only): per step the controller computes u[k+1] from r_L[k], then layers
/// 1..L advance in order, each seeing the new rate of the layer below and u[k+1] (zero-delay hand-over).</item>
/// <item>Jacobi: everything at k+1 from values at k. Run on the lockstep <see cref="InProcessEngine"/> with
/// delay 1 on every link (what an actor runtime runs unchanged), or, with <see cref="JacobiOnEngine"/> off,
/// by direct calls of the same node code (bit-identical; faster).</item>
/// </list>
/// </summary>
public sealed class DfcSimulator : IDisposable
{
    private readonly DfcNetwork _net;
    private InProcessEngine? _engine;
    private long _nextStep; // lockstep: first global step of the next batch (steps 0..D−1 are the gates' zero steps)

    public DfcSimulator(DfcNetwork network, int batchCapacity)
    {
        _net = network;
        _nextStep = network.LinkDelay;
        BatchCapacity = batchCapacity;
        OutputMinus = new Tensor(batchCapacity, network.Output.Options.OutSize);
    }

    /// <summary>r_L^- of the last simulated mini-batch (its feedforward output).</summary>
    public Tensor OutputMinus { get; }

    public DfcNetwork Network => _net;
    public int BatchCapacity { get; }

    /// <summary>Jacobi phases run on the lockstep engine (default) rather than by direct calls.</summary>
    public bool JacobiOnEngine { get; set; } = true;

    /// <summary>Feedforward pass (u = 0, no noise): every layer settles at v^-; returns r_L^-.</summary>
    public Tensor Feedforward(Tensor x)
    {
        var layers = _net.Layers;
        layers[0].Settle(x);
        for (int l = 1; l < layers.Count; l++) layers[l].Settle(layers[l - 1].Rates);
        return layers[^1].Rates;
    }

    /// <summary>
    /// Simulates one mini-batch: settle, T − 1 steps, controller diagnostics; then forms the gradients and, when
    /// <paramref name="apply"/>, updates the weights. <paramref name="labels"/> is y (B × n_L).
    /// </summary>
    public void Run(PhaseConstants c, Tensor x, Tensor labels, long batchSerial, bool apply = true)
    {
        Simulate(c, x, labels, batchSerial);
        foreach (var l in _net.Layers) l.EndBatch(apply);
    }

    /// <summary><see cref="Run"/> without the end of the batch: the layers hold their sums, no gradient is formed.</summary>
    internal void Simulate(PhaseConstants c, Tensor x, Tensor labels, long batchSerial)
    {
        var layers = _net.Layers;
        var ctl = _net.Controller;
        var output = Feedforward(x);
        OutputMinus.SetRows(output.Rows);
        output.ReadOnlySpan.CopyTo(OutputMinus.Span);
        if (c.LinkDelay != _net.LinkDelay)
            throw new ArgumentException($"the phase's link delay {c.LinkDelay} differs from the network's {_net.LinkDelay}");
        // the direct driver knows delay 1 only, and jitter and loss are resolved in the nodes' lockstep firings
        bool engine = c.Schedule == TransmissionSchedule.Jacobi && (JacobiOnEngine || c.LinkDelay > 1 || _net.Links.Enabled);
        long first = engine ? _nextStep : 0;
        ctl.BeginBatch(c, output, labels, first, batchSerial);
        foreach (var l in layers) l.BeginBatch(c, batchSerial, first);

        if (engine) RunOnEngine(c, first);
        else if (c.Schedule == TransmissionSchedule.Sweep) RunSweep(c);
        else RunJacobiDirect(c);

        ctl.Finish(layers[^1].Rates);
    }

    private void RunSweep(PhaseConstants c)
    {
        var layers = _net.Layers;
        var ctl = _net.Controller;
        for (int k = 0; k < c.Steps - 1; k++)
        {
            ctl.Step(layers[^1].Rates);
            var u = ctl.Control;
            layers[0].Advance(null, u, k + 1);
            for (int l = 1; l < layers.Count; l++) layers[l].Advance(layers[l - 1].Rates, u, k + 1);
        }
    }

    private void RunJacobiDirect(PhaseConstants c)
    {
        var layers = _net.Layers;
        var ctl = _net.Controller;
        for (int k = 0; k < c.Steps - 1; k++)
        {
            ctl.Step(layers[^1].Rates);
            var u = ctl.PreviousControl;
            layers[0].Advance(null, u, k);
            for (int l = 1; l < layers.Count; l++) layers[l].Advance(layers[l - 1].PreviousRates, u, k);
        }
    }

    private void RunOnEngine(PhaseConstants c, long first)
    {
        _engine ??= new InProcessEngine(_net.Topology, "dfc", BatchCapacity);
        var layers = _net.Layers;
        foreach (var l in layers) l.EmitInitial(_engine.OutboxOf(l.Id));
        _net.Controller.EmitInitial(_engine.OutboxOf(_net.Controller.Id));
        _engine.Pump();
        foreach (var l in layers)
            if (l.StateIndex != c.Steps - 1)
                throw new InvalidOperationException($"lockstep simulation stalled: {l.Name} reached state {l.StateIndex} of {c.Steps - 1}");
        if (_engine.PendingMessages != 0)
            throw new InvalidOperationException($"lockstep simulation left {_engine.PendingMessages} messages undelivered");
        _nextStep = first + c.Steps - 1;
    }

    public void Dispose() => _engine?.Dispose();
}
