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
/// serializer, and training samples/s of the actor runtime against the in-process engine on one BP run.</summary>
internal static class ActorBenchCommand
{
    public static Command Create()
    {
        var messages = CliOptions.PositiveInt("--messages", "Tensor messages sent over the remote link (default 20000).", "N");
        var samples = CliOptions.PositiveInt("--samples", "Training samples per epoch of the BP run (default 16384).", "N");
        var repeats = CliOptions.PositiveInt("--repeats", "Interleaved repetitions of each training measurement (default 3).", "N");
        var command = new Command("bench-actors", "Measure the actor runtime: remote tensor MB/s and samples/s against the in-process engine.")
        {
            messages, samples, repeats,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            try
            {
                RemoteThroughput(parse.GetValue(messages) ?? 20_000, stdout);
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

    private static string F(double v, string format = "F1") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>32 KiB tensor messages (32 x 256 float32) from one actor system to another over 127.0.0.1.</summary>
    private static void RemoteThroughput(int count, TextWriter stdout)
    {
        const int rows = 32, cols = 256, window = 1024, ackEvery = 256;
        var hocon = "akka.actor.provider = remote\nakka.loglevel = WARNING";
        using var a = ActorSystem.Create("bencha", ApicalConfig.With(hocon));
        using var b = ActorSystem.Create("benchb", ApicalConfig.With(hocon));
        var acks = new SemaphoreSlim(0);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = a.ActorOf(Props.Create(() => new AckCounter(acks, done, count)), "source");
        var sinkLocal = b.ActorOf(Props.Create(() => new Sink(ackEvery)), "sink");
        var bAddress = ((ExtendedActorSystem)b).Provider.DefaultAddress;
        var sink = ((ExtendedActorSystem)a).Provider.ResolveActorRef(sinkLocal.Path.ToStringWithAddress(bAddress));
        var payload = new Tensor(rows, cols);
        for (int i = 0; i < payload.Length; i++) payload.Data[i] = i;

        // warm-up
        Send(sink, source, payload, 0, 2 * ackEvery, acks, window / ackEvery, ackEvery);
        var sw = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Send(sink, source, payload, 2 * ackEvery, count, acks, window / ackEvery, ackEvery);
        if (!done.Task.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException("remote benchmark: acknowledgements stopped");
        double seconds = sw.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        int measured = count - 2 * ackEvery;
        double mb = measured * (double)(rows * cols * sizeof(float)) / 1e6;
        stdout.WriteLine($"remote link: {measured} tensor messages of {rows}x{cols} float32 (32 KiB) over 127.0.0.1: " +
                         $"{F(measured / seconds, "F0")} msg/s, {F(mb / seconds)} MB/s, {F(cpuSeconds * 1e6 / measured, "F0")} µs CPU per message");
    }

    private static void Send(IActorRef sink, IActorRef ackTo, Tensor payload, int from, int to, SemaphoreSlim acks, int maxUnacked, int ackEvery)
    {
        int unacked = 0;
        for (int i = from; i < to; i++)
        {
            sink.Tell(Message.Create("bench", 1, MessageKind.Rates, Phase.Train, i, long.MaxValue, payload), ackTo);
            if ((i + 1) % ackEvery == 0 && ++unacked >= maxUnacked)
            {
                acks.Wait();
                unacked--;
            }
        }
    }

    private sealed class Sink : UntypedActor
    {
        private readonly int _ackEvery;
        private long _received;
        public Sink(int ackEvery) => _ackEvery = ackEvery;

        protected override void OnReceive(object message)
        {
            if (message is not Message m) return;
            m.Release();
            if (++_received % _ackEvery == 0)
                Sender.Tell(new StepReached("bench", 0, Phase.Train, _received, 0, double.NaN, double.NaN));
        }
    }

    private sealed class AckCounter : UntypedActor
    {
        private readonly SemaphoreSlim _acks;
        private readonly TaskCompletionSource _done;
        private readonly int _total;
        public AckCounter(SemaphoreSlim acks, TaskCompletionSource done, int total) { _acks = acks; _done = done; _total = total; }

        protected override void OnReceive(object message)
        {
            if (message is not StepReached r) return;
            _acks.Release();
            if (r.Step >= _total - _total % 256) _done.TrySetResult();
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
