using System.CommandLine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Cli;

/// <summary>The root of the apical command line: builds the command tree, reports parse errors as one line
/// each with exit code 2, and maps the errors commands raise to exit codes.</summary>
internal static class ApicalCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Apical: train neural networks with local learning rules.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(Actors.NodeCommand.Create());
        root.Subcommands.Add(Actors.ActorBenchCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                error.WriteLine($"error: {OneLine(e.Message)}");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // train handles Ctrl-C itself and saves its results
        };
        try
        {
            return parse.Invoke(invocation);
        }
        catch (Exception e)
        {
            return Report(e, error);
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Prints an expected error as one line and returns its exit code.</summary>
    public static int Report(Exception e, TextWriter error)
    {
        switch (e)
        {
            case ConfigException c:
                foreach (var problem in c.Problems)
                    error.WriteLine($"error: {c.File}: {problem.Field}: {problem.Reason}");
                return ExitCodes.Usage;
            case UsageException or RunDirectoryException:
                error.WriteLine($"error: {OneLine(e.Message)}");
                return ExitCodes.Usage;
            case OperationCanceledException:
                error.WriteLine("cancelled");
                return ExitCodes.Cancelled;
            default:
                error.WriteLine($"error: {OneLine(e.Message)}");
                return ExitCodes.Failure;
        }
    }
}
