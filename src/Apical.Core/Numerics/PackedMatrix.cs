namespace Apical.Core.Numerics;

/// <summary>
/// A right-hand GEMM operand (logically k x n) copied into column panels of <see cref="PanelWidth"/>
/// floats: panel q holds columns [q*32, q*32+32) as k consecutive rows of 32 floats, zero-padded past n.
/// Every kernel path reads this one layout, so a packed matrix stays valid when <see cref="Gemm.Path"/> changes.
/// Pack weights once, multiply many times, and call <see cref="Repack"/> after each weight update.
/// </summary>
public sealed class PackedMatrix
{
    /// <summary>Columns per packed panel.</summary>
    public const int PanelWidth = 32;

    private readonly float[] _buffer;
    private readonly int _offset;

    /// <summary>Inner (shared) dimension k.</summary>
    public int K { get; }

    /// <summary>Output columns n.</summary>
    public int N { get; }

    /// <summary>True when packed from W (n x k) for X·Wᵀ; false when packed from B (k x n) for X·B.</summary>
    public bool Transposed { get; }

    internal int Panels => (N + PanelWidth - 1) / PanelWidth;

    private PackedMatrix(int k, int n, bool transposed)
    {
        K = k;
        N = n;
        Transposed = transposed;
        int len = checked(Panels * k * PanelWidth);
        _buffer = Gemm.AllocateAligned(len, out _offset);
    }

    /// <summary>Packs W (n x k) so that <c>Gemm.MatMul(x, packed, y)</c> computes Y = X·Wᵀ.</summary>
    public static PackedMatrix ForTransB(Tensor w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var p = new PackedMatrix(w.Cols, w.Rows, transposed: true);
        p.Repack(w);
        return p;
    }

    /// <summary>Packs B (k x n) so that <c>Gemm.MatMul(x, packed, y)</c> computes Y = X·B.</summary>
    public static PackedMatrix ForB(Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var p = new PackedMatrix(b.Rows, b.Cols, transposed: false);
        p.Repack(b);
        return p;
    }

    /// <summary>Refreshes the packed copy from a source of the original shape, without allocating.</summary>
    public void Repack(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int rows = Transposed ? N : K, cols = Transposed ? K : N;
        if (source.Rows != rows || source.Cols != cols)
            throw new ArgumentException(
                $"cannot repack a {source.Rows}x{source.Cols} tensor into a packed matrix built from {rows}x{cols}", nameof(source));
        unsafe
        {
            fixed (float* src = source.Data)
            fixed (float* dst = _buffer)
            {
                if (Transposed) Gemm.PackTransB(src, K, N, dst + _offset);
                else Gemm.PackB(src, K, N, dst + _offset);
            }
        }
    }

    internal float[] Buffer => _buffer;
    internal int Offset => _offset;
}
