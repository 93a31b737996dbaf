using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Apical.Actors;
using Apical.Actors.Cluster;
using Apical.Actors.Hosting;
using Apical.Actors.Protocol;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;

namespace Apical.Cli.Actors;

/// <summary><c>apical bench-actors</c>: tensor throughput over a loopback Akka.Remote link with the binary
/// serializer (one step per message and in windows of several steps), and training samples/s of the actor runtime against the in-process engine on one BP run.</summary>
internal static class ActorBenchCommand
{
    public static Command Create()
    {
        var messages = CliOptions.PositiveInt("--messages", "Tensor messages sent over the remote link (default 20000).", "N");
        var samples = CliOptions.PositiveInt("--samples", "Training samples per epoch of the BP run (default 16384).", "N");
        var repeats = CliOptions.PositiveInt("--repeats", "Interleaved repetitions of each training measurement (default 3).", "N");
        var windows = new Option<string>("--windows")
        {
            Description = "Steps per remote message to measure, comma-separated (default 1,4,8,16; 1 = one message per step).",
            HelpName = "LIST",
        };
        var cols = CliOptions.PositiveInt("--cols", "Columns of the 32-row tensor sent over the remote link (default 256: 32 KiB).", "N");
        var remoteOnly = new Option<bool>("--remote-only") { Description = "Measure only the remote link, not training." };
        var command = new Command("bench-actors", "Measure the actor runtime: remote tensor MB/s and samples/s against the in-process engine.")
        {
            messages, samples, repeats, windows, cols, remoteOnly,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            try
            {
                RemoteThroughput(parse.GetValue(messages) ?? 20_000, ParseWindows(parse.GetValue(windows)), parse.GetValue(cols) ?? 256, stdout);
                if (!parse.GetValue(remoteOnly))
                    TrainingThroughput(parse.GetValue(samples) ?? 16_384, parse.GetValue(repeats) ?? 3, stdout);
                return ExitCodes.Ok;
            }
            catch (Exception e)
            {
                return ApicalCommand.Report(e, parse.InvocationConfiguration.Error);
            }
        });
        return command;
    }

    private static IReadOnlyList<int> ParseWindows(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new[] { 1, 4, 8, 16 };
        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int w) || w < 1 || w > 1024)
                throw new ConfigException("(command line)", "--windows", $"'{part}' is not a window size in 1 … 1024");
            result.Add(w);
        }
        return result;
    }

    private static string F(double v, string format = "F1") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>32 KiB tensor messages (32 x 256 float32) from one actor system to another over 127.0.0.1, one
    /// message per step (window 1) and in windows of several steps per remote message, as a lockstep link of delay d
    /// crossing nodes sends them.</summary>
    private static void RemoteThroughput(int count, IReadOnlyList<int> windows, int cols, TextWriter stdout)
    {
        const int rows = 32;
        var hocon = "akka.actor.provider = remote\nakka.loglevel = WARNING";
        using var a = ActorSystem.Create("bencha", ApicalConfig.With(hocon));
        using var b = ActorSystem.Create("benchb", ApicalConfig.With(hocon));
        var payload = new Tensor(rows, cols);
        for (int i = 0; i < payload.Length; i++) payload.Data[i] = i;
        foreach (int window in windows)
        {
            var (rate, mbs, cpu) = RemoteRun(a, b, payload, count, window);
            stdout.WriteLine($"remote link, {(window == 1 ? "one step per message" : $"windows of {window} steps")}: {count} tensors of {rows}x{cols} float32 ({F(rows * cols * 4 / 1024.0, "0.#")} KiB) over 127.0.0.1: " +
                             $"{F(rate, "F0")} steps/s, {F(mbs)} MB/s, {F(cpu, "F0")} µs CPU per step");
        }
    }

    private static (double Rate, double MBs, double CpuMicros) RemoteRun(ActorSystem a, ActorSystem b, Tensor payload, int count, int window)
    {
        const int ackEvery = 256, maxUnacked = 4;
        int warmup = 2 * ackEvery;
        var acks = new SemaphoreSlim(0);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int expectedAcks = (warmup + count) / ackEvery;
        var source = a.ActorOf(Props.Create(() => new AckCounter(acks, done, expectedAcks)), $"source-{window}");
        var sinkLocal = b.ActorOf(Props.Create(() => new Sink(ackEvery)), $"sink-{window}");
        var bAddress = ((ExtendedActorSystem)b).Provider.DefaultAddress;
        var sink = ((ExtendedActorSystem)a).Provider.ResolveActorRef(sinkLocal.Path.ToStringWithAddress(bAddress));
        var sender = new WindowSender(sink, source, payload, acks, maxUnacked, ackEvery, window);
        sender.Send(warmup);
        var sw = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        sender.Send(count);
        if (!done.Task.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException("remote benchmark: acknowledgements stopped");
        double seconds = sw.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        a.Stop(source);
        b.Stop(sinkLocal);
        double mb = count * (double)(payload.Length * sizeof(float)) / 1e6;
        return (count / seconds, mb / seconds, cpuSeconds * 1e6 / count);
    }

    /// <summary>Sends steps one per message or in windows, with at most <c>maxUnacked</c> × <c>ackEvery</c> steps unacknowledged.</summary>
    private sealed class WindowSender(IActorRef sink, IActorRef ackTo, Tensor payload, SemaphoreSlim acks, int maxUnacked, int ackEvery, int window)
    {
        private long _step, _nextAck = ackEvery;
        private int _unacked;

        public void Send(int steps)
        {
            long end = _step + steps;
            while (_step < end)
            {
                int n = (int)Math.Min(window, end - _step);
                if (n == 1)
                {
                    sink.Tell(Message.Create("bench", 1, MessageKind.Rates, Phase.Train, _step, long.MaxValue, payload), ackTo);
                }
                else
                {
                    var messages = new Message[n];
                    for (int k = 0; k < n; k++)
                        messages[k] = Message.Create("bench", 1, MessageKind.Rates, Phase.Train, _step + k, long.MaxValue, payload);
                    sink.Tell(new MessageWindow(messages), ackTo);
                }
                _step += n;
                while (_step >= _nextAck)
                {
                    _nextAck += ackEvery;
                    if (++_unacked >= maxUnacked)
                    {
                        acks.Wait();
                        _unacked--;
                    }
                }
            }
        }
    }

    private sealed class Sink : UntypedActor
    {
        private readonly int _ackEvery;
        private long _received, _nextAck;
        public Sink(int ackEvery) => (_ackEvery, _nextAck) = (ackEvery, ackEvery);

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Message m:
                    m.Release();
                    _received++;
                    break;
                case MessageWindow w:
                    foreach (var m in w.Messages) m.Release();
                    _received += w.Messages.Length;
                    break;
                default:
                    return;
            }
            while (_received >= _nextAck)
            {
                Sender.Tell(new StepReached("bench", 0, Phase.Train, _nextAck, 0, double.NaN, double.NaN));
                _nextAck += _ackEvery;
            }
        }
    }

    private sealed class AckCounter : UntypedActor
    {
        private readonly SemaphoreSlim _acks;
        private readonly TaskCompletionSource _done;
        private readonly int _expected;
        private int _count;
        public AckCounter(SemaphoreSlim acks, TaskCompletionSource done, int expected) { _acks = acks; _done = done; _expected = expected; }

        protected override void OnReceive(object message)
        {
            if (message is not StepReached) return;
            _acks.Release();
            if (++_count >= _expected) _done.TrySetResult();
        }
    }

    /// <summary>The same BP run (784-256-256-10, B = 64) on the in-process engine and on actors, interleaved
    /// <paramref name="repeats"/> times; the best epoch of each engine counts (the machine is shared).</summary>
    private static void TrainingThroughput(int samples, int repeats, TextWriter stdout)
    {
        var data = RandomClassification(samples, 784, 10, 1);
        var splits = new DataSplits(data, null, RandomClassification(1024, 784, 10, 2));
        using var local = ActorSystem.Create("benchlocal", ApicalConfig.With("akka.loglevel = WARNING"));
        var node = ClusterBootstrap.StartNode(new ClusterNodeOptions { ExtraHocon = "akka.loglevel = WARNING" });
        try
        {
            var region = ClusterBootstrap.StartLayerRegion(node);
            ClusterBootstrap.WaitForMembersAsync(node, 1, ClusterNodeOptions.WorkerRole, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            ClusterBootstrap.WaitForRegionsAsync(region, 1, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            var sharded = ClusterBootstrap.HostFor(region, "colocate");
            foreach (int depth in new[] { 0, 2 })
            {
                var config = Config(depth);
                double inproc = 0, actors = 0, cluster = 0;
                for (int r = 0; r < repeats; r++)
                {
                    inproc = Math.Max(inproc, Best(() => new TrainingSession(config, splits)));
                    actors = Math.Max(actors, Best(() => ActorTrainer.CreateSession(local, new LocalLayerHost(local), config, splits)));
                    cluster = Math.Max(cluster, Best(() => ActorTrainer.CreateSession(node, sharded, config, splits)));
                }
                stdout.WriteLine($"BP 784-256-256-10, B=64, pipeline depth {depth}, {samples} samples/epoch, best of {repeats}: " +
                                 $"in-process {F(inproc, "F0")} samples/s; actors (local) {F(actors, "F0")} (ratio {F(actors / inproc, "F2")}); " +
                                 $"actors (1-node cluster, sharded) {F(cluster, "F0")} (ratio {F(cluster / inproc, "F2")})");
            }
        }
        finally
        {
            node.Terminate().Wait(TimeSpan.FromSeconds(20));
        }
    }

    private static double Best(Func<TrainingSession> create)
    {
        using var session = create();
        var observer = new BestRate();
        session.Run(observer, default);
        return observer.Best;
    }

    private sealed class BestRate : IRunObserver
    {
        public double Best { get; private set; }
        public void OnEvent(string message) { }
        public void OnBatch(in BatchProgress progress) { }
        public void OnEpoch(EpochMetrics metrics)
        {
            if (metrics.Epoch > 0 && metrics.SamplesPerSecond > Best) Best = metrics.SamplesPerSecond;
        }
    }

    private static RunConfig Config(int depth) => new()
    {
        Name = "bench",
        Seed = 5,
        Epochs = 3,
        Rule = RuleKind.Bp,
        Data = new DataSpec(),
        Network = new NetworkSpec
        {
            Input = 784,
            Layers = new List<LayerSpec>
            {
                new() { Out = 256, Activation = Activation.Tanh },
                new() { Out = 256, Activation = Activation.Tanh },
                new() { Out = 10, Activation = Activation.Linear },
            },
        },
        BatchSize = 64,
        Optimizer = new OptimizerSpec { Type = OptimizerKind.Sgd, LearningRate = 0.01 },
        Engine = new EngineSpec { PipelineDepth = depth },
        Evaluation = new EvaluationSpec { BatchSize = 256, AtStart = false, Validation = false, Test = true },
    };

    private static Dataset RandomClassification(int samples, int inputs, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = new Tensor(samples, inputs);
        var labels = new int[samples];
        for (int s = 0; s < samples; s++)
        {
            labels[s] = rng.Next(classes);
            for (int i = 0; i < inputs; i++) x[s, i] = (float)rng.NextDouble();
        }
        return Dataset.Classification("bench", x, labels, classes);
    }
}
