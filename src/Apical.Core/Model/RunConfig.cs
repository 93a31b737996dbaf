using Apical.Core.Data;

namespace Apical.Core.Model;

/// <summary>A whole experiment, as read from a JSON config file (see RunConfigLoader).</summary>
public sealed class RunConfig
{
    public string Name { get; init; } = "run";
    public ulong Seed { get; init; } = 1;
    public int Epochs { get; init; } = 1;
    public required DataSpec Data { get; init; }
}

/// <summary>Reads, validates and writes run configs.</summary>
public static class RunConfigLoader
{
    /// <summary>Reads and validates a config file; throws <see cref="ConfigException"/> naming file, field and reason.</summary>
    public static RunConfig Load(string path) => throw new NotImplementedException();

    /// <summary>Returns a copy with command-line overrides applied (null = keep), re-validated.</summary>
    public static RunConfig WithOverrides(RunConfig config, int? epochs, ulong? seed) => throw new NotImplementedException();

    /// <summary>The fully resolved config (every default written out) as indented JSON.</summary>
    public static string ToJson(RunConfig config) => throw new NotImplementedException();
}
