using System.Diagnostics;
using Akka.Actor;
using Apical.Actors;
using Apical.Actors.Hosting;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;

namespace Apical.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Apical.Benchmarks -- dfc-engines [CONFIG] [BATCHES] [HOCON] [only-actors]</c>: DFC wake
/// mini-batches (the config's wake constants, Jacobi schedule, random MNIST-shaped inputs) on the in-process lockstep
/// engine and on local actors, each with and without the forward rule's worker thread; prints wall samples/s and
/// samples per CPU-second of this process. Default config: configs/default.json, 60 measured mini-batches after 6 warm-up;
/// HOCON is added to the actor system's config (e.g. another dispatcher).
/// </summary>
internal static class DfcEngineThroughput
{
    public static void Run(string[] args)
    {
        string path = args.Length > 0 ? args[0] : FindDefaultConfig();
        int batches = args.Length > 1 ? int.Parse(args[1]) : 60;
        var config = RunConfigLoader.Load(path);
        var spec = config.Dfc ?? throw new ArgumentException($"{path} is not a DFC config");
        var wake = DfcPhases.Wake(spec);
        if (wake.Schedule != TransmissionSchedule.Jacobi) throw new ArgumentException($"{path}: dfc.forward.schedule must be jacobi");
        int b = config.BatchSize, input = config.Network.Input ?? 784, output = config.Network.Layers[^1].Out;
        var x = new Tensor(b, input);
        var rng = new CounterRng(1, 2);
        rng.FillNormal(x.Span, 0, 1);
        var y = new Tensor(b, output);
        for (int i = 0; i < b; i++) y[i, i % output] = 1;
        Console.WriteLine($"{path}: B = {b}, T = {wake.Steps}, {batches} mini-batches per case, {Environment.ProcessorCount} processors");

        int capacity = DfcNetwork.Capacity(config);
        bool onlyActors = args.Length > 3 && args[3] == "only-actors";
        if (!onlyActors)
        {
            Measure("in-process, lockstep engine, forward worker", () => new InProcessDfcEngine(DfcNetwork.FromConfig(config, input), capacity), wake, x, y, batches);
            Measure("in-process, lockstep engine, no forward worker",
                () => new InProcessDfcEngine(DfcNetwork.FromConfig(config, input, forwardWorkers: false), capacity), wake, x, y, batches);
        }
        using var system = ActorSystem.Create("bench", ApicalConfig.With("akka.loglevel = WARNING\n" + (args.Length > 2 ? args[2] : "")));
        var shape = new GraphShape(input, output, true);
        Measure("local actors, no forward worker", () => new DfcActorEngine(system, new LocalLayerHost(system), config, shape), wake, x, y, batches);
        GraphBuilders.Register(RuleKind.Dfc, new DfcGraphBuilder(forwardWorkers: true));
        Measure("local actors, forward worker", () => new DfcActorEngine(system, new LocalLayerHost(system), config, shape), wake, x, y, batches);
        GraphBuilders.Register(RuleKind.Dfc, new DfcGraphBuilder());
    }

    private static void Measure(string name, Func<IDfcEngine> create, PhaseConstants wake, Tensor x, Tensor y, int batches)
    {
        using var engine = create();
        long serial = 0;
        for (int i = 0; i < 6; i++) engine.Run(wake, x, y, serial++);
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++) engine.Run(wake, x, y, serial++);
        double wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        double samples = (double)batches * x.Rows;
        Console.WriteLine($"{name,-50} {samples / wall,8:F0} samples/s   {samples / cpu,8:F0} samples/CPU-s   ({wall * 1000 / batches:F0} ms per mini-batch)");
    }

    private static string FindDefaultConfig()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "configs", "default.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("configs/default.json not found above the current directory; pass a config path");
    }
}
