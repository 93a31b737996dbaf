using Apical.Core.Data;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;

namespace Apical.Cli;

/// <summary>What a training run needs from the rest of Apical; tests substitute fakes.</summary>
internal sealed record TrainServices(
    Func<string, RunConfig> LoadConfig,
    Func<RunConfig, int?, ulong?, RunConfig> WithOverrides,
    Func<RunConfig, string> ToJson,
    Func<RunConfig, Action<string>, DataSplits> LoadData,
    Func<RunConfig, DataSplits, IRunObserver, CancellationToken, string?, RunResult> Train)
{
    public static TrainServices Default { get; } = new(
        RunConfigLoader.Load,
        RunConfigLoader.WithOverrides,
        RunConfigLoader.ToJson,
        (config, progress) => DatasetLoader.Load(config.Data, new DataCache(), progress),
        Experiment.Run);
}

/// <summary>The train command's inputs after parsing; <see cref="ConfigPath"/> is resolved and exists.
/// <see cref="Resume"/>: a run directory to continue; <see cref="From"/>: a checkpoint (or a run directory, its newest)
/// a new run starts from. <see cref="Sets"/>: the <c>--set</c> assignments, already applied by the config loader and
/// recorded in the run's event log.</summary>
internal sealed record TrainOptions(string ConfigPath, int? Epochs, ulong? Seed, string? OutDir, string? Resume = null, string? From = null,
    IReadOnlyList<string>? Sets = null);
