using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

/// <summary>
/// Every test that sets <see cref="Gemm.Path"/> (process-wide) belongs to this collection, which xunit runs
/// alone, so no other test observes a forced path.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GemmPathCollection
{
    public const string Name = "Gemm path";
}

/// <summary>A theory for one GEMM path; reported as skipped (with the reason) when the CPU cannot run it.</summary>
public sealed class GemmPathTheoryAttribute : TheoryAttribute
{
    public GemmPathTheoryAttribute(GemmPath path)
    {
        if (!Gemm.IsSupported(path))
            Skip = $"GEMM path {path} is not supported on this CPU/runtime (e.g. no hardware-accelerated AVX-512 or FMA)";
    }
}

/// <summary>A fact for one GEMM path; reported as skipped (with the reason) when the CPU cannot run it.</summary>
public sealed class GemmPathFactAttribute : FactAttribute
{
    public GemmPathFactAttribute(GemmPath path)
    {
        if (!Gemm.IsSupported(path))
            Skip = $"GEMM path {path} is not supported on this CPU/runtime (e.g. no hardware-accelerated AVX-512 or FMA)";
    }
}
