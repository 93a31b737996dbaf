using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apical.Core.Model;

/// <summary>
/// Command-line assignments <c>PATH=VALUE</c> applied to a config (<c>apical train --set</c>), so one field can be
/// varied without a new file: <c>engine.delay=4</c>, <c>dfc.forward.schedule=jacobi</c>, <c>network.layers.0.out=128</c>.
/// <list type="bullet">
/// <item>PATH is a dotted list of field names as they are written in config files (array elements by index). It is
/// checked against the fully resolved config, where every field is written out, so a misspelt or unknown field is
/// refused with the fields that do exist. Below a section the config leaves unset (null) the section is created and
/// its fields are checked when it is read.</item>
/// <item>VALUE is read as JSON when it is JSON (numbers, <c>true</c>, <c>null</c>, <c>"text"</c>, objects, arrays),
/// else as a plain string, so <c>schedule=jacobi</c> needs no quotes.</item>
/// <item>The result is read and validated like a config file: every problem names its field.</item>
/// </list>
/// </summary>
public static class ConfigOverrides
{
    /// <summary>Source name in errors of the assignments themselves.</summary>
    public const string Source = "--set";

    /// <summary>Applies <paramref name="assignments"/> in order and returns the validated result.</summary>
    public static RunConfig Apply(RunConfig config, IReadOnlyList<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(assignments);
        if (assignments.Count == 0) return config;
        var root = JsonNode.Parse(RunConfigLoader.ToJson(config))!.AsObject();
        foreach (string assignment in assignments)
        {
            var (path, value) = Split(assignment);
            Assign(root, path, value, assignment);
        }
        return RunConfigLoader.Parse(root.ToJsonString(), Source);
    }

    /// <summary>The assignments as one line for the run's event log.</summary>
    public static string Describe(IReadOnlyList<string> assignments) => string.Join(", ", assignments);

    private static (string[] Path, JsonNode? Value) Split(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0)
            throw new ConfigException(Source, assignment, "expected PATH=VALUE, e.g. engine.delay=4");
        string path = assignment[..eq].Trim();
        var segments = path.Split('.');
        foreach (var s in segments)
            if (s.Length == 0) throw new ConfigException(Source, path, "empty field name in the path");
        return (segments, ParseValue(assignment[(eq + 1)..].Trim()));
    }

    private static JsonNode? ParseValue(string text)
    {
        if (text.Length == 0) return JsonValue.Create("");
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text); // a bare word: the string itself
        }
    }

    private static void Assign(JsonObject root, string[] path, JsonNode? value, string assignment)
    {
        JsonNode current = root;
        Type? type = typeof(RunConfig); // the C# type behind `current`, while known
        bool created = false; // below a section created here nothing is known yet: the reader checks its fields
        for (int i = 0; i < path.Length; i++)
        {
            string name = path[i];
            string at = string.Join('.', path, 0, i + 1);
            bool last = i == path.Length - 1;
            switch (current)
            {
                case JsonObject obj:
                    if (!created && !obj.ContainsKey(name))
                        throw new ConfigException(Source, at, Unknown(obj, name, string.Join('.', path, 0, i)));
                    type = Member(type, name, at, last);
                    if (last)
                    {
                        obj[name] = value?.DeepClone();
                        return;
                    }
                    if (obj[name] is null)
                    {
                        obj[name] = new JsonObject();
                        created = true;
                    }
                    current = obj[name]!;
                    break;
                case JsonArray array:
                    if (!int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
                        throw new ConfigException(Source, at, $"'{string.Join('.', path, 0, i)}' is a list: expected an element index, got '{name}'");
                    if (index >= array.Count)
                        throw new ConfigException(Source, at, $"'{string.Join('.', path, 0, i)}' has {array.Count} elements (indices 0 to {array.Count - 1})");
                    type = ElementType(type);
                    if (last)
                    {
                        array[index] = value?.DeepClone();
                        return;
                    }
                    current = array[index] ?? throw new ConfigException(Source, at, "is null");
                    break;
                default:
                    throw new ConfigException(Source, at, $"'{string.Join('.', path, 0, i)}' is a value, not a section ({assignment})");
            }
        }
    }

    /// <summary>The type of field <paramref name="name"/> of <paramref name="type"/>; a field that is written out
    /// but derived from others (no setter) is refused as the last segment, since the reader would ignore it.</summary>
    private static Type? Member(Type? type, string name, string at, bool last)
    {
        if (type is null) return null;
        foreach (var p in RunConfigLoader.TypeInfo(type).Properties)
        {
            if (p.Name != name) continue;
            if (last && p.Set is null)
                throw new ConfigException(Source, at, "is derived from other fields and cannot be set");
            return Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        }
        return null;
    }

    private static Type? ElementType(Type? type)
    {
        if (type is null) return null;
        if (type.IsArray) return type.GetElementType();
        foreach (var i in type.GetInterfaces())
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) return i.GetGenericArguments()[0];
        return null;
    }

    private static string Unknown(JsonObject obj, string name, string parent)
    {
        string where = parent.Length == 0 ? "the config" : $"'{parent}'";
        foreach (var kv in obj)
            if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase))
                return $"unknown field '{name}' in {where}; did you mean '{kv.Key}'?";
        var names = new List<string>(obj.Count);
        foreach (var kv in obj) names.Add(kv.Key);
        return $"unknown field '{name}' in {where}; it has {string.Join(", ", names)}";
    }
}
