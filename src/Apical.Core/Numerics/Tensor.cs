using System.Runtime.CompilerServices;

namespace Apical.Core.Numerics;

/// <summary>
/// A dense float32 matrix in row-major order: <c>Rows</c> is the batch (or output) dimension,
/// <c>Cols</c> the feature (or input) dimension. The backing array may be longer than
/// <c>Rows * Cols</c> (pooled buffers); only the first <c>Length</c> elements are meaningful.
/// </summary>
public sealed class Tensor
{
    public int Rows { get; private set; }
    public int Cols { get; }
    public float[] Data { get; }

    public Tensor(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"tensor shape {rows}x{cols} is negative");
        Rows = rows;
        Cols = cols;
        _capacity = checked(rows * cols);
        Data = new float[_capacity + StaggerPad(_capacity)];
    }

    private readonly int _capacity;
    private static int _allocations;

    /// <summary>
    /// Floats appended to a large tensor's array so that tensors allocated one after another start at different
    /// offsets within a 4 KiB page. Buffers of equal power-of-two-ish sizes allocated back to back otherwise start at
    /// nearly the same page offset, and a loop that stores into one while loading from another then stalls on 4 KiB
    /// aliasing (the CPU takes the load for one that depends on the store): x ← x + g (a + b − x) over 32 × 256
    /// floats ran 4-5 times slower (tests/Apical.Benchmarks/RESULTS.md). The stagger is 1–1.5 KiB, rotating.
    /// </summary>
    private static int StaggerPad(int floats) =>
        floats < 1024 ? 0 : 256 + 16 * (Interlocked.Increment(ref _allocations) & 7);

    public Tensor(int rows, int cols, float[] data)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"tensor shape {rows}x{cols} is negative");
        if (data.Length < checked(rows * cols))
            throw new ArgumentException($"buffer of {data.Length} floats is too small for a {rows}x{cols} tensor", nameof(data));
        Rows = rows;
        Cols = cols;
        Data = data;
        _capacity = data.Length;
    }

    public int Length => Rows * Cols;

    /// <summary>Rows the backing array can hold at this width.</summary>
    public int RowCapacity => Cols == 0 ? 0 : _capacity / Cols;

    /// <summary>
    /// Changes the number of rows in use without reallocating (a smaller last minibatch uses the
    /// same preallocated buffer). Fails if the backing array is too small.
    /// </summary>
    public void SetRows(int rows)
    {
        if (rows < 0 || (long)rows * Cols > _capacity)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows do not fit a buffer of {_capacity} floats at width {Cols}");
        Rows = rows;
    }

    public Span<float> Span => Data.AsSpan(0, Rows * Cols);

    public ReadOnlySpan<float> ReadOnlySpan => new(Data, 0, Rows * Cols);

    public Span<float> Row(int r) => Data.AsSpan(r * Cols, Cols);

    public ref float this[int r, int c]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Data[r * Cols + c];
    }

    public bool SameShape(Tensor other) => Rows == other.Rows && Cols == other.Cols;

    public void Clear() => Span.Clear();

    public void CopyFrom(Tensor source)
    {
        if (!SameShape(source))
            throw new ArgumentException($"shape mismatch: {Rows}x{Cols} <- {source.Rows}x{source.Cols}");
        source.ReadOnlySpan.CopyTo(Span);
    }

    public Tensor Clone()
    {
        var t = new Tensor(Rows, Cols);
        ReadOnlySpan.CopyTo(t.Span);
        return t;
    }

    public override string ToString() => $"Tensor[{Rows}x{Cols}]";
}
