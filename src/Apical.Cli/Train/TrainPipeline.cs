using System.Globalization;
using Apical.Core.Checkpoints;
using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Cli;

/// <summary>One training run from config file to a complete run directory: resolve the config, create the
/// directory, record the run while it trains, then write summary.json and curves.png whatever the outcome
/// (completed, cancelled or failed).</summary>
internal sealed class TrainPipeline(TrainServices services, TextWriter output, TextWriter error, bool interactive)
{
    public int Run(TrainOptions options, CancellationToken cancel)
    {
        RunDirectory dir;
        RunConfig config;
        DataSplits data;
        string? checkpoint = null;
        int? resumeThrough = null;
        if (options.Resume is null)
        {
            config = services.WithOverrides(services.LoadConfig(options.ConfigPath), options.Epochs, options.Seed);
            if (options.From is not null) checkpoint = BranchPoint(options.From, config);
            // The data set is part of the config: a missing or broken one is rejected before the run directory exists.
            data = LoadData(config, options.ConfigPath);
            dir = RunDirectory.Create(options.OutDir, config.Name);
            WriteNewFile(dir.ConfigPath, services.ToJson(config));
        }
        else
        {
            dir = RunDirectory.Existing(options.Resume);
            if (!File.Exists(dir.ConfigPath))
                throw new UsageException($"--resume: {options.Resume} is not a run directory (no {RunDirectory.ConfigFile})");
            checkpoint = RunCheckpoint.Latest(System.IO.Path.Combine(dir.Path, "checkpoints"))
                ?? throw new UsageException($"--resume: {options.Resume} holds no checkpoint to continue from");
            resumeThrough = RunCheckpoint.EpochOf(checkpoint);
            config = services.WithOverrides(services.LoadConfig(dir.ConfigPath), options.Epochs, null);
            data = LoadData(config, dir.ConfigPath);
            if (options.Epochs is not null) ReplaceFile(dir.ConfigPath, services.ToJson(config));
        }

        IProgressDisplay display = interactive ? new LiveProgress() : new PlainProgress(output);
        RunResult? result = null;
        Exception? failure = null;
        using (var recorder = new RunRecorder(dir, config.Name, display, resumeThroughEpoch: resumeThrough))
        {
            display.Info($"run directory: {dir.Path}");
            string origin = options.Resume is not null ? dir.ConfigPath + ", resumed"
                : options.From is not null ? $"{options.ConfigPath}, from checkpoint {System.IO.Path.GetFullPath(checkpoint!)}"
                : options.ConfigPath;
            if (options.Sets is { Count: > 0 } sets) origin += $", --set {ConfigOverrides.Describe(sets)}";
            recorder.Events.Write(string.Create(CultureInfo.InvariantCulture,
                $"start: {config.Name} (config {origin}, epochs {config.Epochs}, seed {config.Seed})"));
            try
            {
                recorder.Events.Write($"data loaded: {config.Data?.Name}");
                result = cancel.IsCancellationRequested
                    ? new RunResult(null, false, 0)
                    : display.Run(() => services.Train(config, data, recorder, cancel, checkpoint));
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = e;
            }

            bool cancelled = failure is null && cancel.IsCancellationRequested && result is not { Completed: true };
            if (result is not null)
                recorder.Finish(result);
            else
                recorder.FinishIncomplete();

            var epochsRun = result?.EpochsRun ?? recorder.EpochsRecorded;
            if (failure is not null)
                recorder.Events.Write($"failed: {failure}");
            else if (cancelled)
                recorder.Events.Write($"cancelled after {epochsRun} of {config.Epochs} epochs");
            else if (result!.Completed)
                recorder.Events.Write($"end: completed {result.EpochsRun} epochs");
            else
                recorder.Events.Write($"end: stopped after {result.EpochsRun} of {config.Epochs} epochs");

            RenderCurves(dir, config.Name, recorder.Events);
            var last = result?.Last ?? recorder.Last;

            output.WriteLine($"run directory: {dir.Path}");
            output.WriteLine(last is null || double.IsNaN(last.TestAccuracy)
                ? "final test accuracy: n/a"
                : $"final test accuracy: {(last.TestAccuracy * 100).ToString("F2", CultureInfo.InvariantCulture)}%");

            if (failure is not null)
            {
                error.WriteLine($"error: run failed: {failure.Message} (results so far are in {dir.Path})");
                return ExitCodes.Failure;
            }
            if (cancelled)
            {
                error.WriteLine($"cancelled after {epochsRun} of {config.Epochs} epochs (results so far are in {dir.Path})");
                return ExitCodes.Cancelled;
            }
            if (!result!.Completed)
            {
                error.WriteLine($"error: the run stopped after {result.EpochsRun} of {config.Epochs} epochs");
                return ExitCodes.Failure;
            }
            return ExitCodes.Ok;
        }
    }

    /// <summary>The checkpoint directory a new run starts from: <paramref name="from"/> itself (epoch-NNNNNN) or, for a
    /// run directory, its newest checkpoint. What the config cannot continue is refused before the run directory
    /// exists; the rule and the network's shape are checked when the nodes load it, naming the file.</summary>
    private static string BranchPoint(string from, RunConfig config)
    {
        if (config.Rule is RuleKind.Gle)
            throw new UsageException("--from: GLE runs cannot start from a checkpoint yet");
        string checkpoint;
        if (File.Exists(System.IO.Path.Combine(from, RunDirectory.ConfigFile)))
            checkpoint = RunCheckpoint.Latest(System.IO.Path.Combine(from, "checkpoints"))
                ?? throw new UsageException($"--from: the run {from} holds no checkpoint");
        else if (File.Exists(System.IO.Path.Combine(from, "session.ckpt")))
            checkpoint = from;
        else
            throw new UsageException($"--from: {from} is neither a checkpoint directory (epoch-NNNNNN holding session.ckpt) nor a run directory");
        int epoch;
        try { epoch = RunCheckpoint.EpochOf(checkpoint); }
        catch (CheckpointException e) { throw new UsageException($"--from: {e.Message}"); }
        if (epoch >= config.Epochs)
            throw new UsageException($"--from: the checkpoint is after epoch {epoch}; the config trains {config.Epochs} epochs in all, so nothing would be left (raise --epochs)");
        return checkpoint;
    }

    private DataSplits LoadData(RunConfig config, string configPath)
    {
        try
        {
            return services.LoadData(config, output.WriteLine);
        }
        catch (Exception e) when (e is DataFetchException or DataFormatException or IOException or InvalidDataException)
        {
            throw new ConfigException(configPath, "data", e.Message, e);
        }
    }

    private void RenderCurves(RunDirectory dir, string title, EventLog events)
    {
        try
        {
            if (CurvesPlot.RenderRun(dir, title))
                events.Write($"plotted {RunDirectory.CurvesFile}");
        }
        catch (Exception e)
        {
            // The numbers are safe in metrics.csv; a plot can be redone with `apical plot`.
            events.Write($"plot failed: {e.Message}");
            error.WriteLine($"warning: could not render {RunDirectory.CurvesFile}: {e.Message}");
        }
    }

    private static void ReplaceFile(string path, string text)
    {
        string temporary = path + ".partial";
        File.WriteAllText(temporary, text.EndsWith('\n') ? text : text + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteNewFile(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
        if (!text.EndsWith('\n'))
            writer.Write('\n');
    }
}
