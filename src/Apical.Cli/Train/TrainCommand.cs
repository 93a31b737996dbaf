using System.CommandLine;
using Spectre.Console;

namespace Apical.Cli;

/// <summary><c>apical train [--config FILE] [--epochs N] [--seed S] [--out DIR]</c></summary>
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

        var command = new Command("train", "Train a network and record the run (config, metrics.csv, summary.json, events.log, curves.png, checkpoints).")
        {
            config, epochs, seed, output, resume,
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
                if (resumeDir is not null && !Directory.Exists(resumeDir))
                    throw new UsageException($"--resume: directory not found: {resumeDir}");
                var options = new TrainOptions(
                    resumeDir is null ? ConfigLocator.Resolve(parse.GetValue(config), Environment.CurrentDirectory, AppContext.BaseDirectory) : "",
                    parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(output), resumeDir);
                using var ctrlC = CtrlCCancellation.Install(stderr);
                var pipeline = new TrainPipeline(TrainServices.Default, stdout, stderr, IsInteractive(stdout));
                return pipeline.Run(options, ctrlC.Token);
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
