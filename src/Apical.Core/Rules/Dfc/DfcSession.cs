using System.Diagnostics;
using Apical.Core.Checkpoints;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Losses;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Nodes;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// A DFC or Strong-DFC training run (spec section 12) on any <see cref="IDfcEngine"/> (in-process or actors, one code
/// path for the epochs, the evaluation and the diagnostics), reporting the same
/// <see cref="EpochMetrics"/> / <see cref="RunResult"/> as the discrete-rule <see cref="TrainingSession"/>.
/// <list type="bullet">
/// <item>DFC: <c>initFbEpochs</c> sleep epochs (pre-training optimiser); then per epoch a sleep epoch, a wake
/// epoch, <c>extraFbEpochs</c> sleep epochs and the evaluation.</item>
/// <item>Strong-DFC: <c>initFbEpochs</c> Q-only pre-training epochs; then per epoch one training epoch (one
/// simulation per mini-batch feeds both rules), <c>extraFbEpochs</c> Q-only epochs and the evaluation.</item>
/// </list>
/// Evaluation (validation, test, and the reported training loss/accuracy) is the noise-free feedforward pass.
/// <see cref="EpochMetrics.SamplesPerSecond"/> is that of the forward-learning (wake / training) epoch. The oracle
/// probes run in this process on <see cref="Network"/>, the engine's own network in-process, else a copy that
/// receives the engine's parameters before every probe.
/// </summary>
public sealed class DfcSession : IDisposable
{
    private readonly RunConfig _config;
    private readonly DfcSpec _spec;
    private readonly bool _strong;
    private readonly IDfcEngine _engine;
    private readonly DfcSimulator _probeSim;
    private readonly BatchIterator _train;
    private readonly BatchIterator? _validation, _test;
    private readonly Tensor _x, _onehot, _labels;
    private readonly int[] _classes;
    private readonly Tensor? _probeX, _probeLabels;
    private readonly Stopwatch _wall = new();
    private readonly ParameterDrift _drift;
    private readonly double _classValue;
    private long _batchSerial;
    private long _trainStep;
    private double _work, _totalWork; // simulated steps per mini-batch, summed: the progress display's cost units
    private int _pretrainDone;

    /// <param name="engine">Creates the engine from the config and the session's network (null: in-process on that
    /// network).</param>
    public DfcSession(RunConfig config, DataSplits data, Func<RunConfig, DfcNetwork, IDfcEngine>? engine = null)
    {
        _config = config;
        _spec = config.Dfc ?? throw new ArgumentException($"the {config.Rule.ConfigName()} rule needs a \"dfc\" section");
        _strong = config.Rule == RuleKind.StrongDfc;
        var train = data.Train;
        if (!train.IsClassification) throw new ArgumentException($"{config.Rule.ConfigName()} needs a classification data set; '{train.Name}' is not one");
        _classValue = _spec.TargetClassValue;

        int capacity = DfcNetwork.Capacity(config);
        Network = DfcNetwork.FromConfig(config, train.InputSize);
        int inputWidth = Network.Layers[0].Options.InSize, outputWidth = Network.Output.Options.OutSize;
        _engine = engine is null ? new InProcessDfcEngine(Network, capacity) : engine(config, Network);
        _probeSim = _engine is InProcessDfcEngine own && ReferenceEquals(own.Simulator.Network, Network)
            ? own.Simulator
            : new DfcSimulator(Network, capacity);
        _drift = new ParameterDrift(Network);

        _train = new BatchIterator(train, config.BatchSize, shuffle: true, config.Seed);
        if (config.Evaluation.Validation && data.Validation is { Count: > 0 } v)
            _validation = new BatchIterator(v, config.Evaluation.BatchSize, shuffle: false, config.Seed);
        if (config.Evaluation.Test && data.Test.Count > 0)
            _test = new BatchIterator(data.Test, config.Evaluation.BatchSize, shuffle: false, config.Seed);
        _x = new Tensor(capacity, inputWidth);
        _onehot = new Tensor(capacity, outputWidth);
        _labels = new Tensor(capacity, outputWidth);
        _classes = new int[capacity];

        int delay = config.Engine.Delay;
        Forward = _strong ? DfcPhases.Single(_spec, delay) : DfcPhases.Wake(_spec, delay);
        Feedback = _strong ? null : DfcPhases.Sleep(_spec, pretrain: false, delay);
        Pretrain = _strong ? DfcPhases.StrongPretrain(_spec, delay) : DfcPhases.Sleep(_spec, pretrain: true, delay);

        if (_spec.Diagnostics && data.Test.Count > 0)
        {
            var probe = new BatchIterator(data.Test, Math.Min(_spec.ProbeBatchSize, data.Test.Count), shuffle: false, config.Seed);
            probe.StartEpoch(0);
            _probeX = new Tensor(probe.BatchSize, inputWidth);
            var onehot = new Tensor(probe.BatchSize, outputWidth);
            var cls = new int[probe.BatchSize];
            probe.Fill(0, _probeX, onehot, cls);
            _probeLabels = new Tensor(probe.BatchSize, outputWidth);
            SmoothLabels(cls, _probeX.Rows, _probeLabels);
        }
    }

    /// <summary>The network in this process: the engine's own in-process, else the copy the probes run on.</summary>
    public DfcNetwork Network { get; }
    public IDfcEngine Engine => _engine;
    public PhaseConstants Forward { get; }
    public PhaseConstants? Feedback { get; }
    public PhaseConstants Pretrain { get; }

    /// <summary>Seconds spent in the last forward-learning epoch and its samples (throughput).</summary>
    public (double Seconds, int Samples) LastForwardEpoch { get; private set; }

    /// <summary>Epochs completed so far (after <see cref="Restore"/>, the checkpoint's).</summary>
    public int EpochsDone { get; private set; }

    /// <summary>Feedback pre-training epochs completed so far.</summary>
    public int PretrainEpochsDone => _pretrainDone;

    public RunResult Run(IRunObserver observer, CancellationToken cancel)
    {
        _wall.Start();
        EpochMetrics? last = null;
        _drift.Mark(Network); // the engine's parameters: its initial ones, or a restore's (RestoreState copies them here)
        if (_config.Evaluation.AtStart && EpochsDone == 0 && _pretrainDone == 0)
        {
            last = Evaluate(0, double.NaN, double.NaN, double.NaN, null);
            observer.OnEpoch(last);
        }
        // Frozen feedback weights (reference behaviour): no feedback pre-training, sleep or extra feedback epochs, whose
        // simulations would change nothing.
        bool feedbackLearns = !_spec.FreezeFbWeights;
        PlanWork(feedbackLearns);
        if (!feedbackLearns && EpochsDone == 0 && _pretrainDone == 0 && (_spec.InitFbEpochs > 0 || _spec.ExtraFbEpochs > 0 || Feedback is not null))
            observer.OnEvent("feedback weights frozen: no feedback pre-training, sleep or extra feedback epochs");
        int pretrainFrom = _pretrainDone + 1;
        for (int e = pretrainFrom; feedbackLearns && e <= _spec.InitFbEpochs; e++)
        {
            if (!FeedbackEpoch(Pretrain, -e, observer, cancel, $"feedback pre-training {e}/{_spec.InitFbEpochs}")) return new RunResult(last, false, 0);
            _pretrainDone = e;
            observer.OnEvent($"feedback pre-training epoch {e}/{_spec.InitFbEpochs} done ({_wall.Elapsed.TotalSeconds:F0} s)");
            if (observer is IRunStorage storage) MaybeCheckpoint(storage, observer, e, _spec.InitFbEpochs);
            if (e == _spec.InitFbEpochs) ReportPretrainChange(observer, pretrainFrom);
        }
        for (int epoch = EpochsDone + 1; epoch <= _config.Epochs; epoch++)
        {
            if (feedbackLearns && Feedback is not null && !FeedbackEpoch(Feedback, epoch, observer, cancel, $"sleep phase, epoch {epoch}/{_config.Epochs}"))
                return new RunResult(last, false, epoch - 1);
            var stats = new DfcEpochStats(Network);
            var sw = Stopwatch.StartNew();
            int samples = ForwardEpoch(epoch, stats, observer, cancel);
            double seconds = sw.Elapsed.TotalSeconds;
            if (samples < 0) return new RunResult(last, false, epoch - 1);
            LastForwardEpoch = (seconds, samples);
            for (int x = 0; feedbackLearns && x < _spec.ExtraFbEpochs; x++)
                if (!FeedbackEpoch(Feedback ?? Pretrain, epoch, observer, cancel, $"extra feedback {x + 1}/{_spec.ExtraFbEpochs}, epoch {epoch}/{_config.Epochs}"))
                    return new RunResult(last, false, epoch - 1);
            last = Evaluate(epoch, stats.Loss, stats.Accuracy, samples / Math.Max(seconds, 1e-9), stats);
            EpochsDone = epoch;
            observer.OnEpoch(last);
            if (observer is IRunStorage storage) MaybeCheckpoint(storage, observer, epoch, _config.Epochs);
        }
        return new RunResult(last, true, _config.Epochs);
    }

    /// <summary>Logs how far the feedback pre-training (epochs <paramref name="from"/> on, in this process) moved each
    /// Q_l, then marks the parameters, so epoch 1's <c>q_change_lN</c> is the training epoch's own.</summary>
    private void ReportPretrainChange(IRunObserver observer, int from)
    {
        _engine.CopyParametersTo(Network);
        var parts = new string[Network.Layers.Count];
        for (int l = 0; l < parts.Length; l++) parts[l] = _drift.FeedbackChange(Network, l).ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
        string span = from == 1 ? "feedback pre-training" : $"feedback pre-training epochs {from}-{_spec.InitFbEpochs}";
        observer.OnEvent($"{span} changed Q by {string.Join(" / ", parts)} (‖ΔQ_l‖/‖Q_l‖, layers 1-{parts.Length})");
        _drift.Mark(Network);
    }

    /// <summary>The run's work in simulated steps per mini-batch (a mini-batch's cost is about proportional to its T):
    /// all of it, and what the epochs done so far (after a restore, the checkpoint's) took.</summary>
    private void PlanWork(bool feedbackLearns)
    {
        double batches = _train.BatchCount;
        double pretrain = feedbackLearns ? Pretrain.Steps : 0;
        double epoch = Forward.Steps + (feedbackLearns ? (Feedback?.Steps ?? 0) + _spec.ExtraFbEpochs * (Feedback ?? Pretrain).Steps : 0);
        _totalWork = batches * (_spec.InitFbEpochs * pretrain + _config.Epochs * epoch);
        _work = batches * (_pretrainDone * pretrain + EpochsDone * epoch);
    }

    private static readonly string[] PositionCounters = ["rule", "layers", "pretrain_epochs", "batch_serial"];

    /// <summary>Writes a checkpoint of every layer and the run's position (epochs and pre-training epochs done, the
    /// mini-batch serial that keys the noise, the training step) under <paramref name="root"/>. Pre-training
    /// checkpoints are epoch 0. Pruning spares epoch <paramref name="alsoKeep"/>'s and epoch 0's: the state after the
    /// feedback pre-training, where branches of a run start (<c>apical train --from</c>).</summary>
    public string SaveCheckpoint(string root, int? alsoKeep = null)
    {
        var extra = new KeyValuePair<string, long>[]
        {
            new("rule", (long)_config.Rule), new("layers", Network.Layers.Count), new("pretrain_epochs", _pretrainDone), new("batch_serial", _batchSerial),
        };
        var position = new CheckpointPosition(EpochsDone, _trainStep, 0, 0, extra);
        return RunCheckpoint.Save(root, position, _engine.CaptureState(Network), _config.Checkpoint.Keep, alsoKeep is { } k ? [0, k] : [0]);
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> on any engine; <see cref="Run"/> then
    /// continues where it stopped (shuffling is keyed by epoch, noise by the mini-batch serial) and produces the same
    /// weights and metrics as an uninterrupted run.</summary>
    public void Restore(string checkpointDirectory)
    {
        string session = Path.Combine(checkpointDirectory, "session.ckpt");
        CheckpointPosition position;
        try { position = RunCheckpoint.ReadPosition(checkpointDirectory, PositionCounters); }
        catch (CheckpointException e) when (e.FilePath == session)
        {
            throw new CheckpointException(session, $"is not a checkpoint of a {_config.Rule.ConfigName()} run ({e.Message})");
        }
        var x = position.Extra!;
        var rule = (RuleKind)x[0].Value;
        if (rule != _config.Rule)
            throw new CheckpointException(session, $"is a checkpoint of a {rule.ConfigName()} run, the config trains {_config.Rule.ConfigName()}");
        if (x[1].Value != Network.Layers.Count)
            throw new CheckpointException(session, $"holds {x[1].Value} layers, the config's network has {Network.Layers.Count}");
        if (position.Epoch > _config.Epochs)
            throw new CheckpointException(session, $"is at epoch {position.Epoch}, beyond the {_config.Epochs} epochs of the config");
        if (x[2].Value > _spec.InitFbEpochs)
            throw new CheckpointException(session, $"is after {x[2].Value} feedback pre-training epochs, beyond the {_spec.InitFbEpochs} of the config");
        _engine.RestoreState(Network, node => RunCheckpoint.ReadNodeState(checkpointDirectory, node));
        EpochsDone = position.Epoch;
        _trainStep = position.TrainStep;
        _pretrainDone = (int)x[2].Value;
        _batchSerial = x[3].Value;
    }

    private void MaybeCheckpoint(IRunStorage storage, IRunObserver observer, int epoch, int epochs)
    {
        int every = _config.Checkpoint.EveryEpochs;
        if (every <= 0 || (epoch % every != 0 && epoch != epochs)) return;
        observer.OnEvent($"checkpoint: {SaveCheckpoint(storage.CheckpointRoot, storage.KeptEpoch)}");
    }

    /// <summary>One wake (DFC) or training (Strong-DFC) epoch; returns the samples seen or −1 when cancelled.</summary>
    public int ForwardEpoch(int epoch, DfcEpochStats? stats = null, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        _train.StartEpoch(epoch);
        int samples = 0;
        var sw = Stopwatch.StartNew();
        for (int b = 0; b < _train.BatchCount; b++)
        {
            if (cancel.IsCancellationRequested) return -1;
            int n = FillTraining(b);
            var batch = _engine.Run(Forward, _x, _labels, _batchSerial++);
            _trainStep++;
            _work += Forward.Steps;
            samples += n;
            CheckFinite(_engine.OutputMinus, epoch, b);
            stats?.Add(_engine.OutputMinus, batch, _classes, _onehot, n);
            if (observer is not null && stats is not null)
                observer.OnBatch(new BatchProgress(epoch, _config.Epochs, b + 1, _train.BatchCount, stats.Loss, stats.Accuracy,
                    samples / Math.Max(sw.Elapsed.TotalSeconds, 1e-9)) { Work = _work, TotalWork = _totalWork });
        }
        return samples;
    }

    /// <summary>One Q-only epoch (DFC sleep / pre-training, Strong-DFC pre-training or extra feedback epoch), shown to
    /// <paramref name="observer"/> as <paramref name="stage"/>.</summary>
    public bool FeedbackEpoch(PhaseConstants phase, int epoch, IRunObserver? observer = null, CancellationToken cancel = default, string stage = "feedback epoch")
    {
        _train.StartEpoch(Math.Abs(epoch) + (epoch < 0 ? 100_000 : 0));
        int samples = 0;
        var sw = Stopwatch.StartNew();
        for (int b = 0; b < _train.BatchCount; b++)
        {
            if (cancel.IsCancellationRequested) return false;
            samples += FillTraining(b);
            var batch = _engine.Run(phase, _x, _labels, _batchSerial++);
            if (!batch.FeedbackFinite)
                throw new DivergenceException("dfc", b, float.NaN, $"non-finite feedback weights in epoch {epoch}, mini-batch {b}");
            _work += phase.Steps;
            observer?.OnBatch(new BatchProgress(Math.Max(epoch, 1), _config.Epochs, b + 1, _train.BatchCount, double.NaN, double.NaN,
                samples / Math.Max(sw.Elapsed.TotalSeconds, 1e-9)) { Stage = stage, Work = _work, TotalWork = _totalWork });
        }
        return true;
    }

    /// <summary>Feedforward loss and accuracy over a split (noise-free, controller off).</summary>
    public (double Loss, double Accuracy) EvaluateSplit(Phase phase)
    {
        var it = phase == Phase.Validation ? _validation : _test;
        if (it is null) return (double.NaN, double.NaN);
        it.StartEpoch(0);
        double loss = 0;
        int correct = 0, count = 0;
        for (int b = 0; b < it.BatchCount; b++)
        {
            int n = it.Fill(b, _x, _onehot, _classes);
            var output = _engine.Feedforward(_x);
            loss += LossFunctions.Evaluate(LossKind.SoftmaxCrossEntropy, output, _onehot, null);
            for (int r = 0; r < n; r++) if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(output.Row(r)) == _classes[r]) correct++;
            count += n;
        }
        return (loss / count, (double)correct / count);
    }

    private EpochMetrics Evaluate(int epoch, double trainLoss, double trainAcc, double samplesPerSecond, DfcEpochStats? stats)
    {
        var (vl, va) = EvaluateSplit(Phase.Validation);
        var (tl, ta) = EvaluateSplit(Phase.Test);
        var extra = new List<KeyValuePair<string, double>>();
        extra.AddRange((stats ?? new DfcEpochStats(Network)).Columns(Network)); // NaN before training: same columns every row
        if (stats is not null || _probeX is not null) _engine.CopyParametersTo(Network);
        extra.AddRange(_drift.TakeColumns(stats is null ? null : Network));
        if (_probeX is not null)
        {
            extra.AddRange(DfcProbe.Measure(_probeSim, Forward, _probeX, _probeLabels!, _spec.GnDamping, long.MaxValue >> 33));
        }
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
            Extra = extra,
        };
    }

    private int FillTraining(int batch)
    {
        int n = _train.Fill(batch, _x, _onehot, _classes);
        SmoothLabels(_classes, n, _labels);
        return n;
    }

    /// <summary>y = c at the true class, (1 − c)/(n_L − 1) elsewhere (spec 4).</summary>
    private void SmoothLabels(int[] classes, int rows, Tensor labels)
    {
        labels.SetRows(rows);
        int n = labels.Cols;
        float off = n > 1 ? (float)((1 - _classValue) / (n - 1)) : 0f;
        for (int r = 0; r < rows; r++)
        {
            var row = labels.Row(r);
            row.Fill(off);
            row[classes[r]] = (float)_classValue;
        }
    }

    private static void CheckFinite(Tensor t, int epoch, int batch)
    {
        var s = t.ReadOnlySpan;
        for (int i = 0; i < s.Length; i++)
            if (!float.IsFinite(s[i]))
                throw new DivergenceException("dfc", batch, s[i], $"non-finite value {s[i]} in epoch {epoch}, mini-batch {batch}");
    }

    public void Dispose()
    {
        _engine.Dispose();
        if (!(_engine is InProcessDfcEngine own && ReferenceEquals(own.Simulator, _probeSim))) _probeSim.Dispose();
    }
}
