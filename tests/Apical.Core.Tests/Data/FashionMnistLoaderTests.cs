using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

public class FashionMnistLoaderTests
{
    // Synthetic files: 7 images per class, 2 per class held out as test -> 50 train / 20 test.
    private static DataSplits LoadSynthetic(TempDir tmp, DataSpec spec)
    {
        DataTestFiles.WriteFashion(tmp.Path, perClass: 7);
        return FashionMnistLoader.Load(tmp.Path, spec, null, testPerClass: 2);
    }

    private static int Byte(float v) => (int)MathF.Round(v * 255f);

    [Fact]
    public void SplitIsPerClassFirstTrainLastTestInterleavedByClass()
    {
        using var tmp = new TempDir();
        var s = LoadSynthetic(tmp, new DataSpec { Name = "fashion-mnist", ValidationSize = 0, Normalize = false });

        Assert.Equal(50, s.Train.Count);
        Assert.Equal(20, s.Test.Count);
        Assert.Equal(784, s.Train.InputSize);
        for (int r = 0; r < 50; r++)
        {
            Assert.Equal(r % 10, s.Train.Labels![r]);
            Assert.Equal(r % 10, Byte(s.Train.Inputs[r, 0]));   // pixel 0 encodes the class
            Assert.Equal(r / 10, Byte(s.Train.Inputs[r, 1]));   // pixel 1 the index within the class
        }
        for (int r = 0; r < 20; r++)
        {
            Assert.Equal(r % 10, s.Test.Labels![r]);
            Assert.Equal(5 + r / 10, Byte(s.Test.Inputs[r, 1]));
        }
    }

    [Fact]
    public void ValidationIsBalancedTailOfTraining()
    {
        using var tmp = new TempDir();
        var s = LoadSynthetic(tmp, new DataSpec { Name = "fashion-mnist", ValidationSize = 10 });
        Assert.Equal(40, s.Train.Count);
        Assert.Equal(Enumerable.Range(0, 10).ToArray(), s.Validation!.Labels);
    }

    [Fact]
    public void NormalisationUsesFashionConstants()
    {
        using var tmp = new TempDir();
        var s = LoadSynthetic(tmp, new DataSpec { Name = "fashion-mnist", ValidationSize = 0 });
        // Row 3 is class 3, first image: pixel 0 = 3, pixel 2 = 62.
        Assert.Equal((3 / 255.0 - 0.2860) / 0.3530, s.Train.Inputs[3, 0], 5);
        Assert.Equal((62 / 255.0 - 0.2860) / 0.3530, s.Train.Inputs[3, 2], 5);
    }

    [Fact]
    public void ShortImageIsReportedWithFileAndIndex()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteFashion(tmp.Path, perClass: 3);
        File.WriteAllText(tmp.File("4.json"), "{\"data\":[[1,2,3]]}");
        var e = Assert.Throws<DataFormatException>(() => FashionMnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 0 }, null, 1));
        Assert.Equal(tmp.File("4.json"), e.FilePath);
        Assert.Contains("data[0]: 3 pixel values, expected 784", e.Message);
    }

    [Fact]
    public void PixelOutOfRangeIsReported()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteFashion(tmp.Path, perClass: 3);
        File.WriteAllText(tmp.File("2.json"), "{\"data\":[[" + string.Join(",", Enumerable.Repeat("256", 784)) + "]]}");
        var e = Assert.Throws<DataFormatException>(() => FashionMnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 0 }, null, 1));
        Assert.Contains("data[0][0]: expected an integer pixel value 0..255, found 256", e.Message);
    }

    [Fact]
    public void TruncatedJsonIsReported()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteFashion(tmp.Path, perClass: 3);
        var text = File.ReadAllText(tmp.File("7.json"));
        File.WriteAllText(tmp.File("7.json"), text[..(text.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => FashionMnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 0 }, null, 1));
        Assert.Equal(tmp.File("7.json"), e.FilePath);
        Assert.Contains("malformed JSON", e.Message);
    }

    [Fact]
    public void TooFewImagesPerClassIsReported()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteFashion(tmp.Path, perClass: 3);
        var e = Assert.Throws<DataFormatException>(() => FashionMnistLoader.Validate(tmp.Path));
        Assert.Contains("holds 3 images; at least 1001", e.Message);
    }
}
