namespace Apical.Core.Numerics;

/// <summary>Which micro-kernel family <see cref="Gemm"/> uses.</summary>
public enum GemmPath
{
    /// <summary>The widest path the CPU accelerates.</summary>
    Auto,
    /// <summary>512-bit vectors (AVX-512F): 8x32 register tile.</summary>
    Vector512,
    /// <summary>256-bit vectors with FMA (AVX2/FMA3): 6x16 register tile.</summary>
    Vector256,
    /// <summary>Portable scalar code: 4x4 register tile.</summary>
    Scalar,
}
