using Apical.Core.Numerics;

namespace Apical.Core.Data;

/// <summary>
/// A data set held in memory: one row of <see cref="Inputs"/> and <see cref="Targets"/> per sample.
/// Classification sets carry integer <see cref="Labels"/> and one-hot targets; regression sets have
/// <c>Labels == null</c> and <c>NumClasses == 0</c>.
/// </summary>
public sealed class Dataset
{
    public string Name { get; }
    /// <summary>N x D inputs.</summary>
    public Tensor Inputs { get; }
    /// <summary>Class of each sample (length N), or null for regression.</summary>
    public int[]? Labels { get; }
    /// <summary>N x K targets: one-hot for classification, regression targets otherwise.</summary>
    public Tensor Targets { get; }
    /// <summary>Number of classes; 0 for regression.</summary>
    public int NumClasses { get; }

    public int Count => Inputs.Rows;
    public int InputSize => Inputs.Cols;
    public int OutputSize => Targets.Cols;
    public bool IsClassification => Labels is not null;

    public Dataset(string name, Tensor inputs, Tensor targets, int[]? labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rows != targets.Rows)
            throw new ArgumentException($"data set '{name}': {inputs.Rows} input rows but {targets.Rows} target rows");
        if (labels is null)
        {
            if (numClasses != 0)
                throw new ArgumentException($"data set '{name}': a regression set (no labels) must have NumClasses 0, got {numClasses}");
        }
        else
        {
            if (labels.Length != inputs.Rows)
                throw new ArgumentException($"data set '{name}': {labels.Length} labels for {inputs.Rows} samples");
            if (numClasses <= 0 || targets.Cols != numClasses)
                throw new ArgumentException($"data set '{name}': {numClasses} classes but targets have {targets.Cols} columns");
        }
        Name = name;
        Inputs = inputs;
        Targets = targets;
        Labels = labels;
        NumClasses = numClasses;
    }

    /// <summary>Builds a classification set with one-hot targets from inputs and labels.</summary>
    public static Dataset Classification(string name, Tensor inputs, int[] labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"data set '{name}': {numClasses} classes");
        var targets = new Tensor(labels.Length, numClasses);
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            if ((uint)c >= (uint)numClasses)
                throw new ArgumentException($"data set '{name}': label {c} of sample {i} is outside [0, {numClasses})");
            targets[i, c] = 1f;
        }
        return new Dataset(name, inputs, targets, labels, numClasses);
    }

    /// <summary>A copy of <paramref name="count"/> consecutive samples starting at <paramref name="start"/>.</summary>
    public Dataset Slice(int start, int count, string? name = null)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"data set '{Name}': rows [{start}, {start + count}) are outside [0, {Count})");
        var x = new Tensor(count, InputSize);
        Inputs.ReadOnlySpan.Slice(start * InputSize, count * InputSize).CopyTo(x.Span);
        var t = new Tensor(count, OutputSize);
        Targets.ReadOnlySpan.Slice(start * OutputSize, count * OutputSize).CopyTo(t.Span);
        int[]? labels = Labels?.AsSpan(start, count).ToArray();
        return new Dataset(name ?? Name, x, t, labels, NumClasses);
    }

    public override string ToString() =>
        $"{Name}: {Count} samples, {InputSize} inputs, {(IsClassification ? $"{NumClasses} classes" : $"{OutputSize} outputs")}";
}

/// <summary>The splits of one data set. <see cref="Validation"/> is null when no validation set is carved out.</summary>
public sealed record DataSplits(Dataset Train, Dataset? Validation, Dataset Test);
