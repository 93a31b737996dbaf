using Apical.Core.Checkpoints;
using Apical.Core.Metrics;

namespace Apical.Tests.Shared;

/// <summary>A run observer that owns a checkpoint folder (so the run writes checkpoints there) and records the epochs
/// and events it is told about; <see cref="OnEventHook"/> sees every event (e.g. to stop the run); <see cref="KeptEpoch"/>
/// plays the best validation epoch whose checkpoint pruning spares.</summary>
internal sealed class StoringObserver(string root) : IRunObserver, IRunStorage
{
    public string CheckpointRoot { get; } = root;
    public int? KeptEpoch { get; set; }
    public List<EpochMetrics> Epochs { get; } = new();
    public List<string> Events { get; } = new();
    public Action<string>? OnEventHook { get; init; }

    public void OnEvent(string message)
    {
        Events.Add(message);
        OnEventHook?.Invoke(message);
    }

    public void OnBatch(in BatchProgress progress) { }
    public void OnEpoch(EpochMetrics metrics) => Epochs.Add(metrics);
}
