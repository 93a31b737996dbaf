namespace Apical.Core.Data;

/// <summary>Loads the data set a <see cref="DataSpec"/> describes, fetching it into the cache if needed.</summary>
public static class DatasetLoader
{
    /// <param name="cache">Where image sets are cached; null for the default cache. Unused when <c>spec.Path</c> is set.</param>
    public static DataSplits Load(DataSpec spec, DataCache? cache, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.EnsureValid();
        return spec.Name switch
        {
            DatasetNames.Mnist => MnistLoader.Load(Directory(spec, cache, progress), spec, progress),
            DatasetNames.FashionMnist => FashionMnistLoader.Load(Directory(spec, cache, progress), spec, progress),
            DatasetNames.TeacherStudent => TeacherStudent.Generate(spec),
            DatasetNames.Mnist1d => Mnist1dData.Load(spec),
            DatasetNames.LagLine or DatasetNames.LagNet => Streams.StreamTask.Placeholder(spec.Name),
            _ => throw new ArgumentException($"data.name: unknown data set '{spec.Name}'"),
        };
    }

    private static string Directory(DataSpec spec, DataCache? cache, Action<string>? progress) =>
        spec.Path ?? (cache ?? new DataCache()).Ensure(spec.Name, progress);
}
