namespace Apical.Core.Tests.TestSupport;

/// <summary>Finds files of the repository (configs) from the test's output directory upwards.</summary>
internal static class RepoFiles
{
    public static string Find(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, relative))) dir = dir.Parent;
        return dir is null ? throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}") : Path.Combine(dir.FullName, relative);
    }
}
