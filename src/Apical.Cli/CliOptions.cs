using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Apical.Cli;

/// <summary>Option factories whose parse errors name the option and the offending value.</summary>
internal static class CliOptions
{
    public static Option<int?> PositiveInt(string name, string description, string helpName) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => Parse<int>(r, name, "a whole number", out var v) && Check(r, name, v >= 1, "must be at least 1") ? v : null,
        };

    public static Option<ulong?> UnsignedLong(string name, string description, string helpName) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => Parse<ulong>(r, name, "a non-negative whole number", out var v) ? v : null,
        };

    private static bool Parse<T>(ArgumentResult r, string name, string what, out T value) where T : IParsable<T>
    {
        var token = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (T.TryParse(token, CultureInfo.InvariantCulture, out value!))
            return true;
        r.AddError($"{name}: '{token}' is not {what}");
        return false;
    }

    private static bool Check(ArgumentResult r, string name, bool ok, string reason)
    {
        if (!ok)
            r.AddError($"{name}: {reason} (got {r.Tokens[^1].Value})");
        return ok;
    }
}
