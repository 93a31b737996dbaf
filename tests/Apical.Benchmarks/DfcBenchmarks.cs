using System.Diagnostics;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Dfc;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Apical.Benchmarks;

/// <summary>Short in-process job for the DFC mini-batch benchmarks (one operation = one mini-batch).</summary>
public sealed class DfcConfig : ManualConfig
{
    public DfcConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(8).WithIterationCount(6).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }
}

/// <summary>
/// One DFC / Strong-DFC mini-batch on 784-256-256-256-10 with the spec's headline constants (15.1): settle,
/// T = 500 Euler steps with online plasticity, optimiser step. Samples/s = batch / mean time. Besides the wall-clock
/// statistics, the global cleanup prints samples per CPU-second of this process (robust to other load on the machine).
/// </summary>
[Config(typeof(DfcConfig))]
public class DfcBenchmarks
{
    /// <summary>The …Sweep cases run the batch whole on <see cref="DfcSimulator"/>; the …SweepSplit cases go through the
    /// in-process engine, which splits it into two row halves on two threads (<c>RowSplitSweep</c>), as a training run does.</summary>
    public enum Kind { DfcWakeSweep, DfcWakeSweepSplit, DfcWakeJacobiEngine, DfcSleepSweep, StrongDfcSweep, StrongDfcSweepSplit }

    [Params(Kind.DfcWakeSweep, Kind.DfcWakeSweepSplit, Kind.DfcWakeJacobiEngine, Kind.DfcSleepSweep, Kind.StrongDfcSweep, Kind.StrongDfcSweepSplit)]
    public Kind Case { get; set; }

    private DfcSimulator _sim = null!;
    private InProcessDfcEngine? _engine;
    private PhaseConstants _c = null!;
    private Tensor _x = null!, _y = null!;
    private long _serial;
    private TimeSpan _cpu, _cpuStart;
    private int _ops;

    private bool Strong => Case is Kind.StrongDfcSweep or Kind.StrongDfcSweepSplit;
    private int Batch => Strong ? 128 : 32;

    [GlobalSetup]
    public void Setup()
    {
        int b = Batch;
        var opt = new OptimizerSpec { LearningRate = 1e-4, Beta1 = 0.9, Beta2 = 0.99, ClipNorm = 1 };
        var net = DfcNetwork.Build(new[] { 784, 256, 256, 256, 10 }, b, 1, opt, opt, opt);
        if (Case is Kind.DfcWakeSweepSplit or Kind.StrongDfcSweepSplit) _engine = new InProcessDfcEngine(net, b);
        _sim = _engine?.Simulator ?? new DfcSimulator(net, b) { JacobiOnEngine = true };
        _x = new Tensor(b, 784);
        var rng = new CounterRng(1, 2);
        rng.FillNormal(_x.Span, 0, 1);
        _y = new Tensor(b, 10);
        for (int i = 0; i < b; i++) { _y.Row(i).Fill(0.01f / 9); _y[i, i % 10] = 0.99f; }
        var schedule = Case == Kind.DfcWakeJacobiEngine ? TransmissionSchedule.Jacobi : TransmissionSchedule.Sweep;
        _c = Case switch
        {
            Kind.StrongDfcSweep or Kind.StrongDfcSweepSplit => new PhaseConstants
            {
                Phase = DfcPhase.Single, Steps = 500, Dt = 1e-3, TauV = 9.26829e-3, TauFb = 1e-3, Alpha = 7.60867e-6, Kp = 2,
                Target = TargetKind.Label, SoftmaxError = true, Noise = NoiseKind.LowPass, Sigma = 4.27896e-3, SigmaOut = 2.97139e-2,
                TauNoise = 0.07, LearnForward = true, LearnFeedback = true, HighPassControl = true, HighPassA = 1e-3 / 0.5,
                FbScalingBase = 1 + 9.26829e-3 / 0.07, Schedule = schedule,
            },
            Kind.DfcSleepSweep => new PhaseConstants
            {
                Phase = DfcPhase.Sleep, Steps = 44, Dt = 1.14218e-3, TauV = 5.87047e-3, TauFb = 0.140466, Alpha = 0.398579, Kp = 0.0713516,
                Target = TargetKind.Feedforward, SoftmaxError = false, Noise = NoiseKind.White, Sigma = 0.0354838, SigmaOut = 0.0354838,
                LearnForward = false, LearnFeedback = true, Schedule = schedule,
            },
            _ => new PhaseConstants
            {
                Phase = DfcPhase.Wake, Steps = 500, Dt = 0.02, TauV = 0.2, TauFb = 0.02, Alpha = 1.77237e-3, Kp = 2,
                Target = TargetKind.Nudged, SoftmaxError = false, TargetStepsize = 0.0138127, Noise = NoiseKind.None,
                LearnForward = true, LearnFeedback = false, Schedule = schedule,
            },
        };
    }

    [IterationSetup]
    public void StartIteration() => _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;

    [IterationCleanup]
    public void EndIteration()
    {
        _cpu += Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
        _ops++;
    }

    [Benchmark]
    public void MiniBatch()
    {
        if (_engine is not null) _engine.Run(_c, _x, _y, _serial++);
        else _sim.Run(_c, _x, _y, _serial++);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_ops > 0)
            Console.WriteLine($"// {Case}: batch {Batch}, {_ops} mini-batches, {Batch * _ops / _cpu.TotalSeconds:F0} samples per CPU-second");
        if (_engine is not null) _engine.Dispose();
        else _sim.Dispose();
    }
}
