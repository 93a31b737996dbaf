namespace Apical.Core.Model;

/// <summary>A problem with one field of a config: the field as a JSON path (e.g. <c>network.layers[2].in</c>) and why.</summary>
public readonly record struct ConfigProblem(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>A run configuration that cannot be used: names the file, the field and the reason for every problem
/// found. Raised before any work starts.</summary>
public sealed class ConfigException : Exception
{
    public string File { get; }
    public IReadOnlyList<ConfigProblem> Problems { get; }

    /// <summary>The first problem's field.</summary>
    public string Field => Problems[0].Field;

    /// <summary>The first problem's reason.</summary>
    public string Reason => Problems[0].Reason;

    public ConfigException(string file, string field, string reason, Exception? inner = null)
        : this(file, new[] { new ConfigProblem(field, reason) }, inner)
    {
    }

    public ConfigException(string file, IReadOnlyList<ConfigProblem> problems, Exception? inner = null)
        : base(Format(file, problems), inner)
    {
        if (problems.Count == 0) throw new ArgumentException("a config error needs at least one problem", nameof(problems));
        File = file;
        Problems = problems;
    }

    private static string Format(string file, IReadOnlyList<ConfigProblem> problems)
        => problems.Count == 1
            ? $"{file}: {problems[0].Field}: {problems[0].Reason}"
            : $"{file}: {problems.Count} problems:" + string.Concat(problems.Select(p => $"{Environment.NewLine}  {p.Field}: {p.Reason}"));
}
