using System.Diagnostics;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Drives a GLE classification run (MNIST-1D) on any lockstep engine (in-process or actors, one code path): each
/// sample of a minibatch is streamed one value per step (its label the target at every step), samples follow each
/// other with no reset and no blank steps, training order reshuffled every epoch. After every epoch (and once before
/// the first) the test set is streamed with learning off and no target, as one batch tiling the training state (the
/// reference) or, with <c>gle.tileEvaluation = false</c>, in training-sized batches continuing it. Optional
/// reduce-on-plateau of the test loss. Metrics and learning rates go through node commands (<see cref="GleCommands"/>),
/// so they work wherever the nodes live. Produces the same <see cref="EpochMetrics"/>/<see cref="RunResult"/> as the
/// discrete trainer.
/// </summary>
public sealed class GleSession : IDisposable
{
    private readonly RunConfig _config;
    private readonly GleSpec _gle;
    private readonly BatchIterator _train;
    private readonly BatchIterator _test;
    private readonly int _stepsPerSample;
    private readonly Tensor _xBatch, _yBatch;
    private readonly ILockstepEngine _engine;
    private readonly GleStreamSource _source;
    private readonly int _readout;
    private readonly double[] _lr;
    private readonly Stopwatch _wall = new();
    private long _step;
    private double _best = double.PositiveInfinity;
    private int _bad;
    private double _cpuMsPerSample = double.NaN;

    /// <summary>A session on the in-process engine.</summary>
    public GleSession(RunConfig config, DataSplits data, string runId = "local", int? deliveryShuffleSeed = null)
        : this(config, data, GleEngines.InProcess(runId, deliveryShuffleSeed)) { }

    public GleSession(RunConfig config, DataSplits data, GleEngineFactory engine)
    {
        _config = config;
        _gle = config.Gle ?? throw new ArgumentException("gle: the gle rule needs a \"gle\" section");
        int channels = _gle.InputChannels;
        var train = data.Train;
        if (train.InputSize % channels != 0)
            throw new ArgumentException($"gle.inputChannels: {channels} does not divide the sample length {train.InputSize}");
        _stepsPerSample = train.InputSize / channels;
        int evalBatch = _gle.TileEvaluation ? Math.Min(config.Evaluation.BatchSize, Math.Max(1, data.Test.Count)) : config.BatchSize;
        int capacity = Math.Max(config.BatchSize, evalBatch);
        _train = new BatchIterator(train, config.BatchSize, shuffle: true, config.Seed, dropLast: true);
        _test = new BatchIterator(data.Test, evalBatch, shuffle: false, config.Seed);
        _xBatch = new Tensor(capacity, train.InputSize);
        _yBatch = new Tensor(capacity, train.OutputSize);

        var run = engine(config, new GraphShape(train.InputSize, train.OutputSize, Classification: true));
        _engine = run.Engine;
        try
        {
            Network = GleNetwork.Of(config, run.Topology);
            _source = Network.Source;
            _readout = Network.Readout.Id;
            _lr = new double[Network.Layers.Count];
            for (int i = 0; i < _lr.Length; i++) _lr[i] = _engine.Command(Network.Layers[i].Id, GleCommands.GetLearningRate).Numbers[0];
        }
        catch
        {
            _engine.Dispose();
            throw;
        }
    }

    /// <summary>The graph the engine runs; on the in-process engine its nodes are the live ones (on the actor runtime
    /// only the source is).</summary>
    public GleNetwork Network { get; }
    public ILockstepEngine Engine => _engine;
    /// <summary>Source steps emitted so far.</summary>
    public long Step => _step;

    public RunResult Run(IRunObserver observer, CancellationToken cancel)
    {
        _wall.Start();
        EpochMetrics? last = null;
        if (_config.Evaluation.AtStart)
        {
            var (tl, ta) = Test();
            last = Metrics(0, double.NaN, double.NaN, tl, ta, double.NaN);
            observer.OnEpoch(last);
        }
        for (int epoch = 1; epoch <= _config.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long samples = TrainEpoch(epoch, observer, cancel);
            double seconds = sw.Elapsed.TotalSeconds;
            _cpuMsPerSample = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / Math.Max(1, samples);
            if (samples < 0) return new RunResult(last, false, epoch - 1);
            var (loss, acc, _) = Take(Phase.Train);
            var (testLoss, testAcc) = _config.Evaluation.Test ? Test() : (double.NaN, double.NaN);
            Plateau(testLoss, observer);
            last = Metrics(epoch, loss, acc, testLoss, testAcc, samples / Math.Max(seconds, 1e-9));
            observer.OnEpoch(last);
        }
        return new RunResult(last, true, _config.Epochs);
    }

    /// <summary>Streams one training epoch; returns the samples seen, or −1 when cancelled.</summary>
    public long TrainEpoch(int epoch, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        _train.StartEpoch(epoch);
        long samples = 0;
        var sw = Stopwatch.StartNew();
        for (int b = 0; b < _train.BatchCount; b++)
        {
            if (cancel.IsCancellationRequested) return -1;
            samples += StreamBatch(_train, b, Phase.Train);
            if (observer is not null)
                observer.OnBatch(new BatchProgress(epoch, _config.Epochs, b + 1, _train.BatchCount, LastLoss(), double.NaN,
                                                   samples / Math.Max(sw.Elapsed.TotalSeconds, 1e-9)));
        }
        return samples;
    }

    /// <summary>Streams the test set with learning off and no target: (mean loss per step, accuracy).</summary>
    public (double Loss, double Accuracy) Test()
    {
        _test.StartEpoch(0);
        for (int b = 0; b < _test.BatchCount; b++) StreamBatch(_test, b, Phase.Test);
        var (loss, acc, _) = Take(Phase.Test);
        return (loss, acc);
    }

    /// <summary>The readout's mean loss per step, accuracy and samples of a phase since the last take.</summary>
    public (double Loss, double Accuracy, long Samples) Take(Phase phase)
    {
        var r = _engine.Command(_readout, GleCommands.TakeOf(phase)).Numbers;
        return (r[0], r[1], (long)r[2]);
    }

    /// <summary>The learning rate of each layer as the session last set (or read) it.</summary>
    public IReadOnlyList<double> LearningRates => _lr;

    private double LastLoss() => _engine.Command(_readout, GleCommands.GetLastLoss).Numbers[0];

    private int StreamBatch(BatchIterator it, int batch, Phase phase)
    {
        int rows = it.Fill(batch, _xBatch, _yBatch);
        _source.SetBatch(_step, phase, _xBatch, _yBatch);
        _step += _stepsPerSample;
        _engine.Run(_step);
        return rows;
    }

    private void Plateau(double testLoss, IRunObserver observer)
    {
        if (_gle.Plateau is not { } p || double.IsNaN(testLoss)) return;
        if (testLoss < _best * (1 - p.Threshold))
        {
            _best = testLoss;
            _bad = 0;
            return;
        }
        if (++_bad <= p.Patience) return;
        _bad = 0;
        for (int i = 0; i < _lr.Length; i++)
        {
            double lr = _lr[i], next = lr * p.Factor;
            if (lr - next > 1e-8) _lr[i] = _engine.Command(Network.Layers[i].Id, GleCommands.SetLearningRate(next)).Numbers[0];
        }
        observer.OnEvent($"test loss on a plateau: learning rate reduced to {_lr[0]:g4}");
    }

    private EpochMetrics Metrics(int epoch, double trainLoss, double trainAcc, double testLoss, double testAcc, double samplesPerSecond) => new()
    {
        Epoch = epoch,
        Step = _step,
        TrainLoss = trainLoss,
        TrainAccuracy = trainAcc,
        TestLoss = testLoss,
        TestAccuracy = testAcc,
        SamplesPerSecond = samplesPerSecond,
        WallSeconds = _wall.Elapsed.TotalSeconds,
        Extra =
        [
            new("lr", _lr[0]),
            new("ms_per_sample", 1000.0 / samplesPerSecond),
            new("cpu_ms_per_sample", _cpuMsPerSample),
        ],
    };

    public void Dispose() => _engine.Dispose();
}
