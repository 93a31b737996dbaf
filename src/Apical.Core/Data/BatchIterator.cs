using Apical.Core.Numerics;

namespace Apical.Core.Data;

/// <summary>
/// Walks a data set in minibatches. With <c>shuffle</c>, each epoch visits the samples in a Fisher–Yates
/// permutation determined only by (seed, epoch); otherwise in order. <see cref="Fill(int, Tensor, Tensor)"/>
/// copies a batch into caller-owned buffers and allocates nothing.
/// </summary>
public sealed class BatchIterator
{
    private readonly Dataset _ds;
    private readonly int[] _order;
    private readonly bool _shuffle;
    private readonly ulong _seed;

    public BatchIterator(Dataset ds, int batchSize, bool shuffle, ulong seed, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(ds);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be > 0, got {batchSize}");
        _ds = ds;
        BatchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        DropLast = dropLast;
        _order = new int[ds.Count];
        BatchCount = dropLast ? ds.Count / batchSize : (ds.Count + batchSize - 1) / batchSize;
        StartEpoch(0);
    }

    public Dataset Dataset => _ds;
    public int BatchSize { get; }
    public bool DropLast { get; }
    /// <summary>ceil(N/B), or floor(N/B) with dropLast.</summary>
    public int BatchCount { get; }
    /// <summary>The epoch the current order belongs to.</summary>
    public int Epoch { get; private set; }

    /// <summary>Sample index at each position of the current epoch.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Sets the visiting order for <paramref name="epoch"/>; the same (seed, epoch) always gives the same order.</summary>
    public void StartEpoch(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be >= 0, got {epoch}");
        Epoch = epoch;
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (!_shuffle) return;
        var rng = new DataRng(_seed, DataRng.PurposeShuffle, (ulong)epoch);
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>Number of samples in batch <paramref name="batchIndex"/>.</summary>
    public int BatchLength(int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch {batchIndex} is outside [0, {BatchCount})");
        return Math.Min(BatchSize, _ds.Count - batchIndex * BatchSize);
    }

    /// <summary>
    /// Copies batch <paramref name="batchIndex"/> into <paramref name="x"/> and <paramref name="targets"/>
    /// (both get <c>SetRows(n)</c>, so a short last batch reuses the same buffers) and returns n.
    /// </summary>
    public int Fill(int batchIndex, Tensor x, Tensor targets)
    {
        int n = BatchLength(batchIndex);
        CheckBuffer(x, _ds.InputSize, n, nameof(x));
        CheckBuffer(targets, _ds.OutputSize, n, nameof(targets));
        x.SetRows(n);
        targets.SetRows(n);
        int start = batchIndex * BatchSize;
        var inputs = _ds.Inputs;
        var t = _ds.Targets;
        for (int r = 0; r < n; r++)
        {
            int s = _order[start + r];
            inputs.Row(s).CopyTo(x.Row(r));
            t.Row(s).CopyTo(targets.Row(r));
        }
        return n;
    }

    /// <summary>As <see cref="Fill(int, Tensor, Tensor)"/>, also writing the class labels into <paramref name="labels"/>.</summary>
    public int Fill(int batchIndex, Tensor x, Tensor targets, Span<int> labels)
    {
        var source = _ds.Labels
            ?? throw new InvalidOperationException($"data set '{_ds.Name}' is a regression set and has no labels");
        int n = BatchLength(batchIndex);
        if (labels.Length < n)
            throw new ArgumentException($"label buffer holds {labels.Length} entries, batch {batchIndex} needs {n}", nameof(labels));
        Fill(batchIndex, x, targets);
        int start = batchIndex * BatchSize;
        for (int r = 0; r < n; r++) labels[r] = source[_order[start + r]];
        return n;
    }

    private static void CheckBuffer(Tensor buffer, int cols, int rows, string name)
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer.Cols != cols)
            throw new ArgumentException($"buffer has {buffer.Cols} columns, the data set needs {cols}", name);
        if (buffer.RowCapacity < rows)
            throw new ArgumentException($"buffer holds {buffer.RowCapacity} rows, the batch needs {rows}", name);
    }
}
