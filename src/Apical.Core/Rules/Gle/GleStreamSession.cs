using System.Diagnostics;
using Apical.Core.Data.Streams;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Drives a GLE stream task (LagLine, LagNet) on any lockstep engine (in-process or actors): teacher and student
/// consume the same input each step, the student's target is the teacher's output seen at that step.
/// <c>gle.steps</c> steps are split evenly into the run's epochs; each epoch reports the mean per-step loss, the
/// loss of its last step, and the student's weights and τ_m for layers of at most four weights (read back from
/// the engine, wherever the nodes live).
/// </summary>
public sealed class GleStreamSession : IDisposable
{
    /// <summary>Steps streamed per engine run at most, so a long epoch still sees a cancellation.</summary>
    private const long Chunk = 10_000;
    private readonly RunConfig _config;
    private readonly GleSpec _gle;
    private readonly ILockstepEngine _engine;
    private readonly int _readout;
    private readonly Stopwatch _wall = new();
    private long _step;

    /// <summary>A session on the in-process engine.</summary>
    public GleStreamSession(RunConfig config, string runId = "local", int? deliveryShuffleSeed = null)
        : this(config, GleEngines.InProcess(runId, deliveryShuffleSeed)) { }

    public GleStreamSession(RunConfig config, GleEngineFactory engine)
    {
        _config = config;
        _gle = config.Gle ?? throw new ArgumentException("gle: the gle rule needs a \"gle\" section");
        if (_gle.Teacher is null) throw new ArgumentException($"gle.teacher: the stream task '{config.Data.Name}' needs a teacher network");
        var task = StreamTask.Create(config.Data.Name, config.BatchSize, config.Seed, _gle.Dt);
        var run = engine(config, new GraphShape(task.Width, config.Network.Layers[^1].Out, Classification: false));
        _engine = run.Engine;
        try
        {
            Network = GleNetwork.Of(config, run.Topology);
            Network.Source.SetStream(task);
            _readout = Network.Readout.Id;
        }
        catch
        {
            _engine.Dispose();
            throw;
        }
    }

    /// <summary>The graph the engine runs; on the in-process engine its nodes are the live ones.</summary>
    public GleNetwork Network { get; }
    public ILockstepEngine Engine => _engine;
    public long Step => _step;

    /// <summary>Runs one source step; returns the loss the readout saw at its last step.</summary>
    public double Advance()
    {
        _engine.Run(++_step);
        return LastLoss();
    }

    public RunResult Run(IRunObserver observer, CancellationToken cancel)
    {
        _wall.Start();
        EpochMetrics? last = null;
        int epochs = Math.Max(1, _config.Epochs);
        long per = Math.Max(1, _gle.Steps / epochs);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            long end = epoch == epochs ? _gle.Steps : epoch * per;
            while (_step < end)
            {
                if (cancel.IsCancellationRequested) return new RunResult(last, false, epoch - 1);
                _step = Math.Min(end, _step + Chunk);
                _engine.Run(_step);
            }
            var taken = _engine.Command(_readout, GleCommands.TakeOf(Phase.Train)).Numbers;
            var extra = new List<KeyValuePair<string, double>> { new("loss_last_step", LastLoss()) };
            var parameters = _engine.Parameters();
            foreach (var layer in Network.Layers)
            {
                var w = Find(parameters[layer.Id], "W").ReadOnlySpan;
                if (w.Length > 4) continue;
                for (int i = 0; i < w.Length; i++) extra.Add(new($"{layer.Name}.w{i}", w[i]));
                var tau = Find(parameters[layer.Id], "tauM").ReadOnlySpan;
                for (int i = 0; i < tau.Length; i++) extra.Add(new($"{layer.Name}.tauM{i}", tau[i]));
            }
            last = new EpochMetrics
            {
                Epoch = epoch,
                Step = _step,
                TrainLoss = taken[0],
                SamplesPerSecond = per * _config.BatchSize / Math.Max(sw.Elapsed.TotalSeconds, 1e-9),
                WallSeconds = _wall.Elapsed.TotalSeconds,
                Extra = extra,
            };
            observer.OnEpoch(last);
        }
        return new RunResult(last, true, epochs);
    }

    private double LastLoss() => _engine.Command(_readout, GleCommands.GetLastLoss).Numbers[0];

    private static Tensor Find(IReadOnlyList<NamedTensor> tensors, string name)
    {
        foreach (var t in tensors) if (t.Name == name) return t.Tensor;
        throw new InvalidOperationException($"a GLE layer reported no tensor '{name}'");
    }

    public void Dispose() => _engine.Dispose();
}
