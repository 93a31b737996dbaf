namespace Apical.Core.Numerics;

/// <summary>
/// Compile-time row count of a micro-kernel tile. Kernels are generic over a struct implementing this,
/// so the JIT emits one specialisation per count with the unused rows' code removed.
/// </summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

internal struct Rows1 : IRowCount { public static int Count => 1; }
internal struct Rows2 : IRowCount { public static int Count => 2; }
internal struct Rows3 : IRowCount { public static int Count => 3; }
internal struct Rows4 : IRowCount { public static int Count => 4; }
internal struct Rows5 : IRowCount { public static int Count => 5; }
internal struct Rows6 : IRowCount { public static int Count => 6; }
internal struct Rows7 : IRowCount { public static int Count => 7; }
internal struct Rows8 : IRowCount { public static int Count => 8; }
