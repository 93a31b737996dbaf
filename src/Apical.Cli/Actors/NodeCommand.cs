using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Apical.Actors.Cluster;

namespace Apical.Cli.Actors;

/// <summary><c>apical node --port P [--seed HOST:PORT] [--role worker] [--hostname H]</c>: a cluster node that
/// hosts layers (role worker) until Ctrl-C or SIGTERM, then leaves the cluster cleanly.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "TCP port to listen on (0: any free port).",
            HelpName = "P",
            Required = true,
        };
        port.Validators.Add(r =>
        {
            int p = r.GetValueOrDefault<int>();
            if (p < 0 || p > 65535) r.AddError($"--port: must be 0..65535 (got {p})");
        });
        var seed = new Option<string[]>("--seed")
        {
            Description = "A seed node HOST:PORT (repeatable). Without one, this node starts a new cluster.",
            HelpName = "HOST:PORT",
            AllowMultipleArgumentsPerToken = false,
        };
        seed.Validators.Add(r =>
        {
            foreach (var s in r.GetValueOrDefault<string[]>() ?? Array.Empty<string>())
                if (HostPort.Problem(s) is { } problem) r.AddError($"--seed: {problem}");
        });
        var role = new Option<string>("--role")
        {
            Description = "Cluster role: worker (hosts layers) or client.",
            DefaultValueFactory = _ => ClusterNodeOptions.WorkerRole,
        };
        role.AcceptOnlyFromAmong(ClusterNodeOptions.WorkerRole, "client");
        var hostname = new Option<string>("--hostname")
        {
            Description = "Host name or IP to bind to and be reached at.",
            DefaultValueFactory = _ => "127.0.0.1",
            HelpName = "HOST",
        };

        var command = new Command("node", "Run a cluster node that hosts layers until Ctrl-C.") { port, seed, role, hostname };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                return Run(new ClusterNodeOptions
                {
                    Port = parse.GetValue(port),
                    Seeds = parse.GetValue(seed) ?? Array.Empty<string>(),
                    Roles = new[] { parse.GetValue(role)! },
                    Hostname = parse.GetValue(hostname)!,
                }, stdout, stderr);
            }
            catch (Exception e)
            {
                return ApicalCommand.Report(e, stderr);
            }
        });
        return command;
    }

    private static int Run(ClusterNodeOptions options, TextWriter stdout, TextWriter stderr)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        ActorSystem? system = null;
        try
        {
            system = ClusterBootstrap.StartNode(options);
            var cluster = Akka.Cluster.Cluster.Get(system);
            ClusterBootstrap.StartLayerRegion(system);
            stdout.WriteLine($"node: {cluster.SelfAddress} (roles: {string.Join(", ", options.Roles)})");
            stdout.Flush();
            cluster.RegisterOnMemberUp(() =>
            {
                stdout.WriteLine($"node: member up {cluster.SelfAddress}");
                stdout.Flush();
            });
            system.WhenTerminated.Wait(stop.Token);
            if (stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(2)))
            {
                // a signal also runs the actor system's own shutdown hook, which left the cluster already
                stdout.WriteLine("node: stopped");
                return ExitCodes.Ok;
            }
            stderr.WriteLine("node: the actor system stopped by itself");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            stdout.WriteLine("node: leaving the cluster");
            stdout.Flush();
            CoordinatedShutdown.Get(system!).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).Wait(TimeSpan.FromSeconds(30));
            stdout.WriteLine("node: stopped");
            return ExitCodes.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }
}

/// <summary>Checks HOST:PORT arguments.</summary>
internal static class HostPort
{
    public static string? Problem(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1) return $"'{value}' is not HOST:PORT";
        if (!int.TryParse(value[(colon + 1)..], out int port) || port < 1 || port > 65535) return $"'{value}': port must be 1..65535";
        return null;
    }
}
