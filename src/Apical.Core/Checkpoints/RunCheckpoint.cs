using System.Globalization;
using Apical.Core.Model;

namespace Apical.Core.Checkpoints;

/// <summary>Where a run stands at a checkpoint: the epochs done and the step counters of each phase, plus any
/// counters a rule's driver carries (<paramref name="Extra"/>, stored after the common ones in their order).</summary>
public sealed record CheckpointPosition(int Epoch, long TrainStep, long ValidationStep, long TestStep,
    IReadOnlyList<KeyValuePair<string, long>>? Extra = null);

/// <summary>
/// A run's checkpoint: one directory <c>epoch-NNNNNN</c> under the run's <c>checkpoints</c> folder holding a file
/// per checkpointable node and <c>session.ckpt</c> with the run's position. The directory is assembled under a
/// temporary name and renamed when complete, so a crash never leaves a checkpoint that looks whole.
/// </summary>
public static class RunCheckpoint
{
    private const string Prefix = "epoch-";
    private const string SessionFile = "session.ckpt";

    /// <summary>Writes a checkpoint of nodes held in this process and keeps only the newest <paramref name="keep"/>
    /// (0 keeps all) and those of the epochs in <paramref name="spare"/>; returns its directory.</summary>
    public static string Save(string root, CheckpointPosition position, IReadOnlyList<INode> nodes, int keep, IReadOnlyCollection<int>? spare = null)
    {
        var states = new List<(INode, byte[])>();
        foreach (var node in nodes)
            if (node is ICheckpointable c) states.Add((node, CheckpointWriter.ToBytes(c, node.Id, node.Name)));
        return Save(root, position, states, keep, spare);
    }

    /// <summary>Writes a checkpoint from node states already serialised (by the nodes wherever they run).</summary>
    public static string Save(string root, CheckpointPosition position, IReadOnlyList<(INode Node, byte[] State)> states, int keep,
        IReadOnlyCollection<int>? spare = null)
    {
        Directory.CreateDirectory(root);
        string name = Prefix + position.Epoch.ToString("D6", CultureInfo.InvariantCulture);
        string final = Path.Combine(root, name);
        string partial = Path.Combine(root, "." + name + ".partial");
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        foreach (var (node, state) in states)
            File.WriteAllBytes(Path.Combine(partial, NodeFile(node)), state);
        using (var w = new CheckpointWriter(Path.Combine(partial, SessionFile), -1, "session"))
        {
            w.Counter("epoch", position.Epoch);
            w.Counter("train_step", position.TrainStep);
            w.Counter("validation_step", position.ValidationStep);
            w.Counter("test_step", position.TestStep);
            if (position.Extra is not null)
                foreach (var (key, value) in position.Extra) w.Counter(key, value);
            w.Commit();
        }
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(partial, final);
        if (keep > 0)
        {
            var all = List(root);
            for (int i = 0; i < all.Count - keep; i++)
                if (spare is null || !spare.Contains(EpochOf(all[i]))) Directory.Delete(all[i], recursive: true);
        }
        return final;
    }

    /// <summary>Restores every checkpointable node from <paramref name="directory"/> and returns the run's position.</summary>
    public static CheckpointPosition Load(string directory, IReadOnlyList<INode> nodes)
    {
        var position = ReadPosition(directory);
        foreach (var node in nodes)
        {
            if (node is not ICheckpointable c) continue;
            using var r = new CheckpointReader(Path.Combine(directory, NodeFile(node)), node.Id, node.Name);
            c.Load(r);
            r.End();
        }
        return position;
    }

    /// <summary>The stored state of one node (to hand to the node wherever it runs), checked by the node on load.</summary>
    public static (byte[] State, string File) ReadNodeState(string directory, INode node)
    {
        string file = Path.Combine(directory, NodeFile(node));
        if (!File.Exists(file)) throw new CheckpointException(file, "file not found");
        return (File.ReadAllBytes(file), file);
    }

    /// <summary>The run's position stored in a checkpoint, with the driver's counters named <paramref name="extra"/>
    /// (which must follow the common ones in that order and be all there is). A reader of the common counters only
    /// (<paramref name="trains"/>: its rule) is told when the checkpoint is a rule-specific run's (those name their rule first).</summary>
    public static CheckpointPosition ReadPosition(string directory, IReadOnlyList<string>? extra = null, RuleKind? trains = null)
    {
        if (!Directory.Exists(directory)) throw new CheckpointException(directory, "checkpoint directory not found");
        CheckpointPosition position;
        using (var r = new CheckpointReader(Path.Combine(directory, SessionFile), -1, "session"))
        {
            position = new CheckpointPosition((int)r.Counter("epoch"), r.Counter("train_step"), r.Counter("validation_step"), r.Counter("test_step"));
            if (extra is { Count: > 0 })
            {
                var values = new List<KeyValuePair<string, long>>(extra.Count);
                foreach (var key in extra) values.Add(new(key, r.Counter(key)));
                position = position with { Extra = values };
            }
            else if (r.PeekName() == "rule")
            {
                long rule = r.Counter("rule");
                string of = Enum.IsDefined((RuleKind)rule) ? ((RuleKind)rule).ConfigName() : $"unknown rule ({rule})";
                throw new CheckpointException(r.Path, $"is a checkpoint of a {of} run" + (trains is { } t ? $", the config trains {t.ConfigName()}" : ""));
            }
            r.End();
        }
        return position;
    }

    /// <summary>The newest complete checkpoint under <paramref name="root"/>, or null.</summary>
    public static string? Latest(string root)
    {
        var all = List(root);
        return all.Count == 0 ? null : all[^1];
    }

    /// <summary>The epoch a checkpoint directory was written after (from its name).</summary>
    public static int EpochOf(string directory)
    {
        string name = Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar));
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            throw new CheckpointException(directory, "is not a checkpoint directory (expected epoch-NNNNNN)");
        return epoch;
    }

    private static List<string> List(string root)
    {
        var result = new List<string>();
        if (!Directory.Exists(root)) return result;
        foreach (var d in Directory.GetDirectories(root, Prefix + "*"))
            if (Path.GetFileName(d).Length == Prefix.Length + 6) result.Add(d);
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    private static string NodeFile(INode node) => $"node-{node.Id:D4}-{node.Name}.ckpt";
}
