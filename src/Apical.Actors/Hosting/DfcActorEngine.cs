using Akka.Actor;
using Apical.Actors.Protocol;
using Apical.Core.Checkpoints;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;

namespace Apical.Actors.Hosting;

/// <summary>
/// A DFC or Strong-DFC network hosted as actor entities (layers 1..L, controller L + 1; node 0, the coordinator, is
/// this object), driven through the node commands of <see cref="DfcCommands"/>:
/// <list type="bullet">
/// <item>settle: a relay of <c>settle</c> commands, layer by layer (x to layer 1, each layer's answer to the next);
/// layer L answers r_L^-. It is the evaluation pass too.</item>
/// <item>simulation: <c>begin</c> to every node, then <c>start</c> to every node (the initial messages); the T − 1
/// lockstep Jacobi steps then flow as plain tensor messages between the entities, and the coordinator only waits
/// until every node has fired the batch's last step (<see cref="AwaitStep"/>).</item>
/// <item>end: <c>end</c> to every layer (gradients and optimiser steps; layer L answers r_L[T−1]), then
/// <c>finish</c> to the controller (convergence diagnostics).</item>
/// </list>
/// The actor runtime runs the Jacobi schedule only; the sweep (zero-delay hand-over) exists only in-process. Its
/// methods block the calling thread — never call them from inside an actor.
/// </summary>
public sealed class DfcActorEngine : IDfcEngine
{
    private readonly RunEntities _entities;
    private readonly int _layers;
    private readonly Tensor _outputMinus;
    private readonly DfcBatchStats _stats;
    private readonly TimeSpan _timeout;
    private readonly long _firstStep; // the first batch's first global step: steps 0..D−1 are the gates' zero steps
    private long _nextStep;           // first global step of the next batch

    public DfcActorEngine(ActorSystem system, ILayerHost host, RunConfig config, GraphShape shape, ActorRunOptions? options = null)
    {
        CheckConfig(config);
        _firstStep = _nextStep = config.Engine.Delay;
        options ??= new ActorRunOptions();
        _timeout = options.Timeout;
        _layers = config.Network.Layers.Count;
        int capacity = DfcNetwork.Capacity(config);
        int output = config.Network.Layers[^1].Out;
        _outputMinus = new Tensor(capacity, output);
        var widths = new int[_layers];
        for (int l = 0; l < _layers; l++) widths[l] = config.Network.Layers[l].Out;
        _stats = new DfcBatchStats(capacity, widths);
        var blueprint = RunBlueprintCodec.Create(config, shape.InputWidth, shape.OutputWidth, shape.Classification);
        _entities = new RunEntities(system, host, options.RunId, blueprint, _layers + 2, options.Timeout);
    }

    public string RunId => _entities.RunId;

    public Tensor OutputMinus => _outputMinus;

    /// <summary>Rejects a config the actor runtime cannot run: every DFC simulation must use the Jacobi schedule (every
    /// link delays by <c>engine.delay</c> steps; jitter and loss are resolved by the receiving nodes).
    /// <paramref name="file"/> names the config in the error.</summary>
    public static void CheckConfig(RunConfig config, string file = "(run)")
    {
        var spec = config.Dfc ?? throw new ConfigException(file, "dfc", $"the {config.Rule.ConfigName()} rule needs a \"dfc\" section");
        if (spec.Forward.Schedule != TransmissionSchedule.Jacobi)
            throw new ConfigException(file, "dfc.forward.schedule", SweepReason);
        if (spec.Feedback.Schedule != TransmissionSchedule.Jacobi)
            throw new ConfigException(file, "dfc.feedback.schedule", SweepReason);
    }

    private const string SweepReason = "the actor runtime runs the Jacobi schedule only (delay 1 on every link); "
        + "set it to \"jacobi\", or train with --engine inproc (the sweep's zero-delay hand-over exists only in-process)";

    public Tensor Feedforward(Tensor x)
    {
        var pre = x;
        for (int l = 1; l <= _layers; l++)
        {
            var reply = _entities.Command(l, DfcCommands.SettleLayer(pre));
            if (reply.Tensors.Length != 1) throw new InvalidOperationException($"run {RunId}: layer {l} answered the settle with {reply.Tensors.Length} tensors");
            pre = reply.Tensors[0].ToTensor();
        }
        _outputMinus.SetRows(pre.Rows);
        pre.ReadOnlySpan.CopyTo(_outputMinus.Span);
        return _outputMinus;
    }

    public DfcBatchStats Run(PhaseConstants phase, Tensor x, Tensor labels, long batchSerial)
    {
        if (phase.Schedule != TransmissionSchedule.Jacobi)
            throw new ArgumentException($"run {RunId}: a {phase.Phase} simulation with the {phase.Schedule} schedule cannot run on actors (Jacobi only)");
        if (phase.Steps < 2) throw new ArgumentException($"run {RunId}: a simulation needs at least 2 steps, got {phase.Steps}");
        Feedforward(x);
        long first = _nextStep, last = first + phase.Steps - 2;
        var begins = new (int, NodeCommand)[_layers + 1];
        for (int l = 1; l <= _layers; l++) begins[l - 1] = (l, DfcCommands.BeginLayer(phase, batchSerial, first));
        begins[_layers] = (_layers + 1, DfcCommands.BeginController(phase, batchSerial, first, _outputMinus, labels));
        _entities.Command(begins);
        var starts = new (int, NodeCommand)[_layers + 1];
        for (int n = 1; n <= _layers + 1; n++) starts[n - 1] = (n, DfcCommands.StartNode());
        _entities.Command(starts);
        _nextStep = first + phase.Steps - 1;
        AwaitAll(last);

        var ends = new (int, NodeCommand)[_layers];
        for (int l = 1; l <= _layers; l++) ends[l - 1] = (l, DfcCommands.EndLayer(apply: true));
        var replies = _entities.Command(ends);
        for (int l = 0; l < _layers; l++) _stats.ReadLayer(l, replies[l].Numbers);
        if (replies[^1].Tensors.Length != 1) throw new InvalidOperationException($"run {RunId}: the output layer sent no final output");
        var finish = new NodeCommand(DfcCommands.Finish, Array.Empty<double>(), replies[^1].Tensors);
        _stats.ReadController(_entities.Command(_layers + 1, finish).Numbers);
        return _stats;
    }

    /// <summary>Waits until every node has fired global step <paramref name="step"/>.</summary>
    private void AwaitAll(long step)
    {
        var nodes = _entities.Nodes;
        var waits = new Task<StepReached>[nodes.Length - 1];
        for (int n = 1; n < nodes.Length; n++)
            waits[n - 1] = nodes[n].Ask<StepReached>(new AwaitStep(RunId, Phase.Train, step), _timeout);
        for (int n = 1; n < nodes.Length; n++) _entities.Wait(waits[n - 1], $"waiting for node {n} to reach step {step}");
    }

    public void CopyParametersTo(DfcNetwork network)
    {
        CheckLayers(network);
        var parameters = _entities.Parameters();
        for (int l = 1; l <= _layers; l++)
        {
            var layer = network.Layers[l - 1];
            if (!parameters.TryGetValue(l, out var list)) throw new InvalidOperationException($"run {RunId}: layer {l} reported no parameters");
            foreach (var p in list)
            {
                var target = p.Name switch
                {
                    "W" => layer.Weights,
                    "b" => layer.Bias,
                    "Q" => layer.FeedbackWeights,
                    _ => throw new InvalidOperationException($"run {RunId}: layer {l} reported an unknown parameter '{p.Name}'"),
                };
                if (p.Tensor.Rows != target.Rows || p.Tensor.Cols != target.Cols)
                    throw new InvalidOperationException($"run {RunId}: layer {l} parameter {p.Name} is {p.Tensor.Rows} × {p.Tensor.Cols}, expected {target.Rows} × {target.Cols}");
                p.Tensor.ReadOnlySpan.CopyTo(target.Span);
            }
            layer.Repack();
        }
    }

    /// <summary>Each layer entity serialises its own state (<see cref="GetCheckpoint"/>); the controller has none
    /// that survives a mini-batch.</summary>
    public IReadOnlyList<(INode Node, byte[] State)> CaptureState(DfcNetwork network)
    {
        CheckLayers(network);
        var waits = new Task<CheckpointData>[_layers];
        for (int l = 1; l <= _layers; l++)
            waits[l - 1] = _entities.Nodes[l].Ask<CheckpointData>(new GetCheckpoint(RunId), _timeout);
        var states = new List<(INode, byte[])>();
        foreach (var w in waits)
        {
            var d = _entities.Wait(w, "collecting checkpoint state");
            if (d.NodeId < 1 || d.NodeId > _layers || d.State.Length == 0)
                throw new InvalidOperationException($"run {RunId}: node {d.NodeId} sent no layer checkpoint");
            states.Add((network.Layers[d.NodeId - 1], d.State));
        }
        return states;
    }

    /// <summary>Hands each layer entity its stored state; only before the first mini-batch (the entities' step
    /// counters are still at 0).</summary>
    public void RestoreState(DfcNetwork network, Func<INode, (byte[] State, string Source)> stateOf)
    {
        CheckLayers(network);
        if (_nextStep != _firstStep) throw new InvalidOperationException($"run {RunId}: a checkpoint can only be restored before the first mini-batch");
        var waits = new Task<CheckpointRestored>[_layers];
        for (int l = 1; l <= _layers; l++)
        {
            var (state, source) = stateOf(network.Layers[l - 1]);
            waits[l - 1] = _entities.Nodes[l].Ask<CheckpointRestored>(new RestoreCheckpoint(RunId, state, source, 0, 0, 0), _timeout);
        }
        foreach (var w in waits)
        {
            var r = _entities.Wait(w, "restoring a checkpoint");
            if (r.Error is not null) throw new CheckpointException(network.Layers[r.NodeId - 1].Name, r.Error);
        }
        CopyParametersTo(network);
    }

    private void CheckLayers(DfcNetwork network)
    {
        if (network.Layers.Count != _layers) throw new ArgumentException($"network of {network.Layers.Count} layers, the run has {_layers}");
    }

    public void Dispose() => _entities.Stop();
}
