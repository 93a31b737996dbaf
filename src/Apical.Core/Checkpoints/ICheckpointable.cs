namespace Apical.Core.Checkpoints;

/// <summary>A node whose whole trainable state (parameters, optimiser moments and step counts) can be written
/// and restored, so a resumed run continues bit for bit. Random streams need no state: they are keyed by
/// (seed, node, step, purpose).</summary>
public interface ICheckpointable
{
    void Save(CheckpointWriter writer);

    void Load(CheckpointReader reader);
}
