namespace Apical.Core.Model;

/// <summary>A run configuration that cannot be used: names the file, the field (a JSON path such as
/// <c>layers[2].size</c>) and the reason. Raised before any work starts.</summary>
public sealed class ConfigException : Exception
{
    public string Source { get; }
    public string Field { get; }
    public string Reason { get; }

    public ConfigException(string source, string field, string reason, Exception? inner = null)
        : base($"{source}: {field}: {reason}", inner)
    {
        Source = source;
        Field = field;
        Reason = reason;
    }
}
