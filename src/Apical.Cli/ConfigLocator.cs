namespace Apical.Cli;

/// <summary>Finds the config file to train with: the one given, else <c>configs/default.json</c> in the current
/// directory or the nearest parent that has one, else next to the executable.</summary>
internal static class ConfigLocator
{
    public static readonly string DefaultRelative = Path.Combine("configs", "default.json");

    public static string Resolve(string? given, string currentDirectory, string executableDirectory)
    {
        if (given is not null)
        {
            var full = Path.GetFullPath(given, currentDirectory);
            if (Directory.Exists(full))
                throw new UsageException($"--config: {given} is a directory, not a config file");
            if (!File.Exists(full))
                throw new UsageException($"--config: file not found: {given}");
            return full;
        }

        var tried = new List<string>();
        for (var dir = new DirectoryInfo(Path.GetFullPath(currentDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultRelative);
            tried.Add(candidate);
            if (File.Exists(candidate))
                return candidate;
        }
        var besideExe = Path.Combine(executableDirectory, DefaultRelative);
        tried.Add(besideExe);
        if (File.Exists(besideExe))
            return besideExe;

        throw new UsageException($"no --config given and {DefaultRelative} not found; tried: {string.Join(", ", tried)}");
    }
}
