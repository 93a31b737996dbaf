using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Apical.Core.Model;

/// <summary>
/// Reads, validates and writes run configs. Reading is strict: an unknown field, a value of the wrong type,
/// an unknown enum name, a missing required field, and every semantic problem (sizes that do not fit their
/// neighbour or the data set, out-of-range hyper-parameters) raise a <see cref="ConfigException"/> naming the
/// file, the field and the reason before any work starts.
/// </summary>
public static partial class RunConfigLoader
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        return o;
    }

    /// <summary>Reads and validates a config file.</summary>
    public static RunConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, "(file)", e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message, e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses and validates config text; <paramref name="source"/> names it in errors.</summary>
    public static RunConfig Parse(string json, string source)
    {
        RunConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<RunConfig>(json, Options);
        }
        catch (JsonException e)
        {
            throw Translate(source, e);
        }
        if (config is null) throw new ConfigException(source, "(root)", "the config is null; expected a JSON object");
        var problems = RunConfigValidator.Validate(config);
        if (problems.Count > 0) throw new ConfigException(source, problems);
        return config;
    }

    /// <summary>Returns a copy with command-line overrides applied (null = keep), re-validated.</summary>
    public static RunConfig WithOverrides(RunConfig config, int? epochs, ulong? seed)
    {
        var copy = Parse(ToJson(config), "(overrides)");
        var result = new RunConfig
        {
            Name = copy.Name,
            Seed = seed ?? copy.Seed,
            Epochs = epochs ?? copy.Epochs,
            Rule = copy.Rule,
            Data = copy.Data,
            Network = copy.Network,
            Loss = copy.Loss,
            BatchSize = copy.BatchSize,
            Optimizer = copy.Optimizer,
            Engine = copy.Engine,
            Evaluation = copy.Evaluation,
            Checkpoint = copy.Checkpoint,
            Dfc = copy.Dfc,
            Gle = copy.Gle,
        };
        var problems = RunConfigValidator.Validate(result);
        if (problems.Count > 0) throw new ConfigException("(command line)", problems);
        return result;
    }

    /// <summary>How the reader maps <paramref name="type"/> to JSON (field names, which fields can be set).</summary>
    internal static System.Text.Json.Serialization.Metadata.JsonTypeInfo TypeInfo(Type type) => Options.GetTypeInfo(type);

    /// <summary>The fully resolved config (every default written out) as indented JSON.</summary>
    public static string ToJson(RunConfig config) => JsonSerializer.Serialize(config, Options);

    private static ConfigException Translate(string source, JsonException e)
    {
        string field = FieldOf(e.Path);
        string message = e.Message;
        string reason;
        var unknown = UnknownMember().Match(message);
        var missing = MissingRequired().Match(message);
        if (unknown.Success)
        {
            string name = unknown.Groups[1].Value;
            reason = $"unknown field '{name}'";
            field = field.EndsWith(name, StringComparison.Ordinal) ? field : Join(field, name);
        }
        else if (missing.Success)
        {
            reason = $"missing required field(s) {missing.Groups[1].Value}";
        }
        else if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            var target = ConvertTarget().Match(message);
            reason = target.Success ? $"wrong type or value: expected {Describe(target.Groups[1].Value)}" : "wrong type or value";
        }
        else if (e.LineNumber is not null)
        {
            reason = $"invalid JSON near line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}";
        }
        else reason = message;
        return new ConfigException(source, field, reason, e);
    }

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "(root)";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Join(string field, string name) => field == "(root)" ? name : $"{field}.{name}";

    private static string Describe(string clrType)
    {
        if (clrType.Contains("Int32") || clrType.Contains("Int64") || clrType.Contains("UInt64")) return "an integer";
        if (clrType.Contains("Double") || clrType.Contains("Single")) return "a number";
        if (clrType.Contains("Boolean")) return "true or false";
        if (clrType.Contains("String")) return "a string";
        if (clrType.Contains("List") || clrType.Contains("[]")) return "an array";
        int dot = clrType.LastIndexOf('.');
        string shortName = dot >= 0 ? clrType[(dot + 1)..] : clrType;
        var enumType = typeof(RunConfig).Assembly.GetTypes().FirstOrDefault(t => t.IsEnum && t.Name == shortName);
        if (enumType is not null)
            return "one of " + string.Join(", ", Enum.GetNames(enumType).Select(n => $"\"{JsonNamingPolicy.KebabCaseLower.ConvertName(n)}\""));
        return $"a {shortName} object";
    }

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("missing required properties,? including:? (.+?)\\.?$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex("could not be converted to ([^ .]+(?:\\.[^ .]+)*)")]
    private static partial Regex ConvertTarget();
}
