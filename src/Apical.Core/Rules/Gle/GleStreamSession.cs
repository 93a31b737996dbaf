using System.Diagnostics;
using Apical.Core.Data.Streams;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Drives a GLE stream task (LagLine, LagNet): teacher and student consume the same input each step, the
/// student's target is the teacher's output seen at that step. <c>gle.steps</c> steps are split evenly into the
/// run's epochs; each epoch reports the mean per-step loss, the loss of its last step, and the student's
/// weights and τ_m for layers of at most four weights.
/// </summary>
public sealed class GleStreamSession : IDisposable
{
    private readonly RunConfig _config;
    private readonly GleSpec _gle;
    private readonly IStreamTask _task;
    private readonly Tensor _x;
    private readonly Stopwatch _wall = new();
    private long _step;

    public GleStreamSession(RunConfig config, string runId = "local", int? deliveryShuffleSeed = null)
    {
        _config = config;
        _gle = config.Gle ?? throw new ArgumentException("gle: the gle rule needs a \"gle\" section");
        if (_gle.Teacher is null) throw new ArgumentException($"gle.teacher: the stream task '{config.Data.Name}' needs a teacher network");
        _task = StreamTask.Create(config.Data.Name, config.BatchSize, config.Seed, _gle.Dt);
        Network = GleNetwork.Build(config, _task.Width, 0, config.BatchSize);
        Engine = new InProcessEngine(Network.Topology, runId, config.BatchSize, deliveryShuffleSeed);
        _x = new Tensor(config.BatchSize, _task.Width);
    }

    public GleNetwork Network { get; }
    public InProcessEngine Engine { get; }
    public long Step => _step;

    /// <summary>Runs one source step; returns the loss the readout saw at this step.</summary>
    public double Advance()
    {
        _task.Fill(_step, _x);
        Network.Source.Emit(_step++, Phase.Train, _x, null, Engine.OutboxOf(Network.Source.Id));
        Engine.Pump();
        return Network.Readout.LastLoss;
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
                Advance();
            }
            var (loss, _, _) = Network.Readout.Take(Phase.Train);
            var extra = new List<KeyValuePair<string, double>> { new("loss_last_step", Network.Readout.LastLoss) };
            foreach (var layer in Network.Layers)
            {
                if (layer.Weights.Length > 4) continue;
                var w = layer.Weights.ReadOnlySpan;
                for (int i = 0; i < w.Length; i++) extra.Add(new($"{layer.Name}.w{i}", w[i]));
                var tau = layer.TauM.ReadOnlySpan;
                for (int i = 0; i < tau.Length; i++) extra.Add(new($"{layer.Name}.tauM{i}", tau[i]));
            }
            last = new EpochMetrics
            {
                Epoch = epoch,
                Step = _step,
                TrainLoss = loss,
                SamplesPerSecond = per * _config.BatchSize / Math.Max(sw.Elapsed.TotalSeconds, 1e-9),
                WallSeconds = _wall.Elapsed.TotalSeconds,
                Extra = extra,
            };
            observer.OnEpoch(last);
        }
        return new RunResult(last, true, epochs);
    }

    public void Dispose() => Engine.Dispose();
}
