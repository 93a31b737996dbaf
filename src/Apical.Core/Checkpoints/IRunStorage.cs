namespace Apical.Core.Checkpoints;

/// <summary>Implemented by a run observer that owns a run directory: tells the trainer where checkpoints go.</summary>
public interface IRunStorage
{
    /// <summary>The folder that holds the run's checkpoints.</summary>
    string CheckpointRoot { get; }
}
