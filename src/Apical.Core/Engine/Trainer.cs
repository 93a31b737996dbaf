using System.Diagnostics;
using Apical.Core.Checkpoints;
using Apical.Core.Data;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Rules;
using Apical.Core.Rules.FeedbackAlignment;

namespace Apical.Core.Engine;

/// <summary>Runs a whole training job of a discrete rule (BP, FA, DFA) on the in-process engine.</summary>
public static class Trainer
{
    /// <summary>Trains for <c>config.Epochs</c> epochs, reporting to <paramref name="observer"/>.
    /// Cancellation stops after the current minibatch; the returned result says whether it completed.</summary>
    /// <param name="resumeFrom">A checkpoint directory to continue from (see <see cref="TrainingSession.Restore"/>).</param>
    public static RunResult Run(RunConfig config, DataSplits data, IRunObserver observer, CancellationToken cancel, string? resumeFrom = null)
    {
        using var session = new TrainingSession(config, data);
        if (resumeFrom is not null)
        {
            session.Restore(resumeFrom);
            observer.OnEvent($"continuing from checkpoint {resumeFrom} after epoch {session.EpochsDone}");
        }
        return session.Run(observer, cancel);
    }
}

/// <summary>The outcome of a run: the last evaluation and whether every epoch ran.</summary>
public sealed record RunResult(EpochMetrics? Last, bool Completed, int EpochsRun);

/// <summary>
/// One training run: builds the graph, then alternates training epochs (one pipelined segment each) with
/// forward-only evaluations of the validation and test splits. The in-process engine runs it by default; any
/// <see cref="IRunEngine"/> (e.g. the actor runtime) can be plugged in and sees the same epoch structure.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly RunConfig _config;
    private readonly DataSplits _data;
    private readonly IRunEngine _engine;
    private readonly BatchIterator _train;
    private readonly BatchIterator? _validation;
    private readonly BatchIterator? _test;
    private readonly Stopwatch _wall = new();
    private long _trainStep;
    private readonly long[] _evalStep = new long[3];
    private (Tensor X, Tensor T)? _probe;

    public TrainingSession(RunConfig config, DataSplits data, string runId = "local", int? deliveryShuffleSeed = null)
        : this(config, data, network => new InProcessRunEngine(network, runId,
            Math.Max(config.BatchSize, config.Evaluation.BatchSize), deliveryShuffleSeed, config.Seed))
    {
    }

    /// <summary>A session on the engine <paramref name="engineFactory"/> builds for the run's graph.</summary>
    public TrainingSession(RunConfig config, DataSplits data, Func<Network, IRunEngine> engineFactory)
    {
        _config = config;
        _data = data;
        var train = data.Train;
        bool classification = train.NumClasses > 0;
        Network = NetworkBuilder.Build(config, train.InputSize, train.OutputSize, classification);
        _engine = engineFactory(Network);
        _train = new BatchIterator(train, config.BatchSize, shuffle: true, config.Seed);
        if (config.Evaluation.Validation && data.Validation is { Count: > 0 } v)
            _validation = new BatchIterator(v, config.Evaluation.BatchSize, shuffle: false, config.Seed);
        if (config.Evaluation.Test && data.Test.Count > 0)
            _test = new BatchIterator(data.Test, config.Evaluation.BatchSize, shuffle: false, config.Seed);
    }

    public Network Network { get; }

    /// <summary>The in-process engine of a session that runs on it.</summary>
    public InProcessEngine Engine => (_engine as InProcessRunEngine)?.Engine
        ?? throw new InvalidOperationException("this session does not run on the in-process engine");

    /// <summary>The engine the session drives.</summary>
    public IRunEngine RunEngine => _engine;

    /// <summary>Epochs completed so far (after <see cref="Restore"/>, the checkpoint's).</summary>
    public int EpochsDone { get; private set; }

    public RunResult Run(IRunObserver observer, CancellationToken cancel)
    {
        _wall.Start();
        EpochMetrics? last = null;
        if (_config.Evaluation.AtStart && EpochsDone == 0)
        {
            last = Evaluate(0, double.NaN, double.NaN, double.NaN);
            observer.OnEpoch(last);
        }
        for (int epoch = EpochsDone + 1; epoch <= _config.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            int samples = TrainEpoch(epoch, observer, cancel);
            double seconds = sw.Elapsed.TotalSeconds;
            if (samples < 0) return new RunResult(last, false, epoch - 1);
            var (loss, acc, _) = _engine.TakeLoss(Phase.Train);
            last = Evaluate(epoch, loss, acc, samples / Math.Max(seconds, 1e-9));
            EpochsDone = epoch;
            observer.OnEpoch(last);
            if (observer is IRunStorage storage) MaybeCheckpoint(storage, observer, epoch);
        }
        return new RunResult(last, true, _config.Epochs);
    }

    /// <summary>Writes a checkpoint of every node and the run's position under <paramref name="root"/>; pruning spares
    /// epoch <paramref name="alsoKeep"/>'s.</summary>
    public string SaveCheckpoint(string root, int? alsoKeep = null)
    {
        var position = new CheckpointPosition(EpochsDone, _trainStep, _evalStep[(int)Phase.Validation], _evalStep[(int)Phase.Test]);
        return RunCheckpoint.Save(root, position, _engine.CaptureState(Network), _config.Checkpoint.Keep, alsoKeep is { } k ? [k] : null);
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> on any engine; <see cref="Run"/> then
    /// continues with the next epoch and produces the same weights as an uninterrupted run.</summary>
    public void Restore(string checkpointDirectory)
    {
        var position = RunCheckpoint.ReadPosition(checkpointDirectory, trains: _config.Rule);
        if (position.Epoch > _config.Epochs)
            throw new CheckpointException(checkpointDirectory, $"is at epoch {position.Epoch}, beyond the {_config.Epochs} epochs of the config");
        _engine.RestoreState(Network, position, node => RunCheckpoint.ReadNodeState(checkpointDirectory, node));
        EpochsDone = position.Epoch;
        _trainStep = position.TrainStep;
        _evalStep[(int)Phase.Validation] = position.ValidationStep;
        _evalStep[(int)Phase.Test] = position.TestStep;
    }

    private void MaybeCheckpoint(IRunStorage storage, IRunObserver observer, int epoch)
    {
        int every = _config.Checkpoint.EveryEpochs;
        if (every <= 0 || (epoch % every != 0 && epoch != _config.Epochs)) return;
        string dir = SaveCheckpoint(storage.CheckpointRoot, storage.KeptEpoch);
        observer.OnEvent($"checkpoint: {dir}");
    }

    /// <summary>Trains one epoch as one pipelined segment; returns the samples seen, or −1 when cancelled.</summary>
    public int TrainEpoch(int epoch, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        _train.StartEpoch(epoch);
        int batches = _train.BatchCount;
        long segmentEnd = _trainStep + batches - 1;
        _engine.BeginSegment(segmentEnd);
        int samples = 0;
        var sw = Stopwatch.StartNew();
        for (int b = 0; b < batches; b++)
        {
            if (cancel.IsCancellationRequested) return -1;
            samples += _engine.EmitBatch(_train, b, Phase.Train, _trainStep++);
            if (observer is not null)
            {
                var (l, a) = _engine.PeekLoss(Phase.Train);
                observer.OnBatch(new BatchProgress(epoch, _config.Epochs, b + 1, batches, l, a, samples / Math.Max(sw.Elapsed.TotalSeconds, 1e-9)));
            }
        }
        int pending = _engine.Drain(Phase.Train, segmentEnd);
        if (pending != 0)
            throw new InvalidOperationException($"epoch {epoch} ended with {pending} undelivered messages: the pipeline did not drain");
        return samples;
    }

    /// <summary>Forward passes over a split with the current weights: (mean loss, accuracy).</summary>
    public (double Loss, double Accuracy) EvaluateSplit(Phase phase)
    {
        var it = phase == Phase.Validation ? _validation : _test;
        if (it is null) return (double.NaN, double.NaN);
        it.StartEpoch(0);
        _engine.BeginSegment(long.MaxValue);
        for (int b = 0; b < it.BatchCount; b++)
            _engine.EmitBatch(it, b, phase, _evalStep[(int)phase]++);
        _engine.Drain(phase, _evalStep[(int)phase] - 1);
        var (loss, acc, _) = _engine.TakeLoss(phase);
        return (loss, acc);
    }

    private EpochMetrics Evaluate(int epoch, double trainLoss, double trainAcc, double samplesPerSecond)
    {
        var (vl, va) = EvaluateSplit(Phase.Validation);
        var (tl, ta) = EvaluateSplit(Phase.Test);
        return new EpochMetrics
        {
            Epoch = epoch,
            Step = _trainStep,
            TrainLoss = trainLoss,
            TrainAccuracy = trainAcc,
            ValidationLoss = vl,
            ValidationAccuracy = va,
            TestLoss = tl,
            TestAccuracy = ta,
            SamplesPerSecond = samplesPerSecond,
            WallSeconds = _wall.Elapsed.TotalSeconds,
            Extra = Diagnostics(),
        };
    }

    /// <summary>Rule diagnostics: pipeline staleness and, for FA/DFA, each hidden layer's angle to the BP gradient
    /// on a fixed probe minibatch (the first samples of the training set).</summary>
    private KeyValuePair<string, double>[] Diagnostics()
    {
        var extra = new List<KeyValuePair<string, double>> { new("weight_staleness", _config.Engine.PipelineDepth) };
        if (_config.Rule is RuleKind.Fa or RuleKind.Dfa && Network.Layers.Count > 1)
        {
            _probe ??= Probe(_data.Train, Math.Min(_config.Evaluation.BatchSize, 256));
            _engine.SyncParameters(Network);
            var angles = GradientAlignment.AnglesToBackprop(Network.Layers, _config.Rule, _config.Loss, _probe.Value.X, _probe.Value.T);
            for (int l = 0; l < angles.Length; l++) extra.Add(new($"bp_angle_layer{l + 1}", angles[l]));
        }
        return extra.ToArray();
    }

    private static (Tensor X, Tensor T) Probe(Dataset set, int rows)
    {
        rows = Math.Min(rows, set.Count);
        var x = new Tensor(rows, set.InputSize);
        var t = new Tensor(rows, set.OutputSize);
        set.Inputs.ReadOnlySpan[..(rows * set.InputSize)].CopyTo(x.Span);
        set.Targets.ReadOnlySpan[..(rows * set.OutputSize)].CopyTo(t.Span);
        return (x, t);
    }

    public void Dispose() => _engine.Dispose();
}
