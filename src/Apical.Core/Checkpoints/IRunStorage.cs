namespace Apical.Core.Checkpoints;

/// <summary>Implemented by a run observer that owns a run directory: tells the trainer where checkpoints go.</summary>
public interface IRunStorage
{
    /// <summary>The folder that holds the run's checkpoints.</summary>
    string CheckpointRoot { get; }

    /// <summary>A training epoch whose checkpoint outlives the pruning to the newest <c>checkpoint.keep</c> (the
    /// best validation epoch, so its weights stay at hand), or null.</summary>
    int? KeptEpoch => null;
}
