using System.CommandLine;
using Apical.Core.Model;
using Spectre.Console;

namespace Apical.Cli;

/// <summary><c>apical train [--config FILE] [--epochs N] [--seed S] [--set PATH=VALUE …] [--out DIR] [--from CHECKPOINT] [--engine inproc|actors]
/// [--placement colocate|spread|explicit:…] [--cluster HOST:PORT]</c>, or <c>apical train --resume DIR [--epochs N]</c></summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config")
        {
            Description = $"Experiment config (JSON). Default: {ConfigLocator.DefaultRelative} in the current directory or a parent.",
            HelpName = "FILE",
        };
        var epochs = CliOptions.PositiveInt("--epochs", "Override the number of epochs.", "N");
        var seed = CliOptions.UnsignedLong("--seed", "Override the random seed.", "S");
        var output = new Option<string?>("--out")
        {
            Description = "Run directory. Default: runs/<yyyyMMdd-HHmmss>-<name>. Never overwrites an existing run.",
            HelpName = "DIR",
        };

        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run in DIR from its newest checkpoint (with --epochs: up to that many epochs in all).",
            HelpName = "DIR",
        };

        var from = new Option<string?>("--from")
        {
            Description = "Start this new run (its own config, seed and directory) from a checkpoint of another run: a checkpoint " +
                          "directory (RUN/checkpoints/epoch-NNNNNN; epoch-000000 of DFC runs is the end of the feedback pre-training) " +
                          "or a run directory (its newest checkpoint). The run continues after the checkpoint's epoch.",
            HelpName = "CHECKPOINT",
        };

        var set = new Option<string[]>("--set")
        {
            Description = "Override one config field, PATH=VALUE (repeatable), e.g. --set engine.delay=4 --set dfc.forward.schedule=jacobi " +
                          "--set network.layers.0.out=128. Field names as in the config file; the run's config.json records the result.",
            HelpName = "PATH=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var engine = new Option<string?>("--engine")
        {
            Description = "inproc (one process, the fastest single-node path) or actors (the Akka.NET runtime). Default: the config's engine.type.",
        };
        engine.AcceptOnlyFromAmong("inproc", "actors");
        var placement = new Option<string>("--placement")
        {
            Description = "Actor runtime: how layers are placed on worker nodes: colocate (blocks of layers per node), spread (neighbours on " +
                          "different nodes) or explicit:NODE=WORKER;... (node ids from 1, workers numbered from 0 in address order).",
            DefaultValueFactory = _ => "colocate",
        };
        placement.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } p && Apical.Actors.Sharding.Placements.Validate(p) is { } problem)
                r.AddError($"--placement: {problem}");
        });
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Actor runtime: join the cluster with this seed node as a client and train there (implies --engine actors).",
            HelpName = "HOST:PORT",
        };
        cluster.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } c && Actors.HostPort.Problem(c) is { } problem) r.AddError($"--cluster: {problem}");
        });

        var command = new Command("train", "Train a network and record the run (config, metrics.csv, summary.json, events.log, curves.png, checkpoints).")
        {
            config, epochs, seed, set, output, resume, from, engine, placement, cluster,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                string? resumeDir = parse.GetValue(resume);
                if (resumeDir is not null && (parse.GetValue(config) is not null || parse.GetValue(output) is not null || parse.GetValue(seed) is not null))
                    throw new UsageException("--resume continues a run with its own config, directory and seed; it cannot be combined with --config, --out or --seed");
                string[] sets = parse.GetValue(set) ?? [];
                if (resumeDir is not null && sets.Length > 0)
                    throw new UsageException("--resume continues a run with the config it started with; to change a field, start a new run from its checkpoint with --from and --set");
                if (resumeDir is not null && !Directory.Exists(resumeDir))
                    throw new UsageException($"--resume: directory not found: {resumeDir}");
                string? fromDir = parse.GetValue(from);
                if (fromDir is not null && resumeDir is not null)
                    throw new UsageException("--from starts a new run from a checkpoint, --resume continues a run: use one of them");
                if (fromDir is not null && !Directory.Exists(fromDir))
                    throw new UsageException($"--from: directory not found: {fromDir}");
                var options = new TrainOptions(
                    resumeDir is null ? ConfigLocator.Resolve(parse.GetValue(config), Environment.CurrentDirectory, AppContext.BaseDirectory) : "",
                    parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(output), resumeDir, fromDir, sets);
                using var stop = StopSignals.Install(stderr);
                if (parse.GetValue(engine) == "inproc" && parse.GetValue(cluster) is not null)
                    throw new UsageException("--cluster needs the actor runtime; drop --engine inproc");
                var actorOptions = new Actors.ActorEngineOptions(parse.GetValue(placement)!, parse.GetValue(cluster));
                var services = TrainServices.Default with
                {
                    LoadConfig = Actors.ActorEngine.CheckedLoader(parse.GetValue(engine), actorOptions,
                        path => ConfigOverrides.Apply(TrainServices.Default.LoadConfig(path), sets)),
                    Train = Actors.ActorEngine.Select(parse.GetValue(engine), actorOptions),
                };
                var pipeline = new TrainPipeline(services, stdout, stderr, IsInteractive(stdout));
                return pipeline.Run(options, stop.Token);
            }
            catch (Exception e)
            {
                return ApicalCommand.Report(e, stderr);
            }
        });
        return command;
    }

    /// <summary>Live progress only on a real terminal; redirected output (CI logs, files) gets plain lines.</summary>
    private static bool IsInteractive(TextWriter stdout) =>
        ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
}
