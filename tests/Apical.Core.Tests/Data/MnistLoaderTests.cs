using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

public class MnistLoaderTests
{
    [Fact]
    public void NormalisationUsesMnistConstants()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 12, 3);
        var splits = MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 2 });

        var x = splits.Train.Inputs;
        for (int i = 0; i < x.Rows; i++)
            for (int j = 0; j < x.Cols; j++)
            {
                double expected = (DataTestFiles.Pixel(i, j) / 255.0 - 0.1307) / 0.3081;
                Assert.Equal(expected, x[i, j], 5);
            }
        // The two extremes of the byte range.
        var table = ImageSplitsTable(true);
        Assert.Equal(-0.42421, table[0], 4);
        Assert.Equal(2.82149, table[255], 4);
    }

    [Fact]
    public void WithoutNormalisePixelsAreScaledToUnitRange()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 4, 2);
        var splits = MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 0, Normalize = false });
        Assert.Equal(DataTestFiles.Pixel(1000 + 1, 5) / 255f, splits.Test.Inputs[1, 5], 6);
        Assert.All(splits.Train.Inputs.Span.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void ValidationIsTheLastImagesOfTheTrainingFile()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 20, 7);
        var splits = MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 5, Normalize = false });

        Assert.Equal(15, splits.Train.Count);
        Assert.NotNull(splits.Validation);
        Assert.Equal(5, splits.Validation!.Count);
        Assert.Equal(7, splits.Test.Count);
        Assert.Equal(16, splits.Train.InputSize);
        Assert.Equal(10, splits.Train.OutputSize);
        Assert.Equal(10, splits.Train.NumClasses);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(DataTestFiles.Label(15 + i), splits.Validation.Labels![i]);
            Assert.Equal(DataTestFiles.Pixel(15 + i, 3) / 255f, splits.Validation.Inputs[i, 3], 6);
        }
        for (int i = 0; i < 15; i++) Assert.Equal(DataTestFiles.Label(i), splits.Train.Labels![i]);
        for (int i = 0; i < 7; i++) Assert.Equal(DataTestFiles.Label(1000 + i), splits.Test.Labels![i]);
    }

    [Fact]
    public void TargetsAreOneHotOfLabels()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 10, 2);
        var train = MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 0 }).Train;
        for (int i = 0; i < train.Count; i++)
            for (int c = 0; c < 10; c++)
                Assert.Equal(c == train.Labels![i] ? 1f : 0f, train.Targets[i, c]);
    }

    [Fact]
    public void LimitsTakeTheFirstSamplesAndKeepValidation()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 20, 10);
        var splits = MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 4, TrainLimit = 6, TestLimit = 3 });
        Assert.Equal(6, splits.Train.Count);
        Assert.Equal(4, splits.Validation!.Count);
        Assert.Equal(3, splits.Test.Count);
        Assert.Equal(DataTestFiles.Label(16), splits.Validation.Labels![0]);
    }

    [Fact]
    public void ZeroValidationGivesNoValidationSet()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 8, 2);
        var splits = MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 0 });
        Assert.Null(splits.Validation);
        Assert.Equal(8, splits.Train.Count);
    }

    [Fact]
    public void ValidationLargerThanTrainingFileIsRejectedWithField()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 8, 2);
        var e = Assert.Throws<ArgumentException>(() => MnistLoader.Load(tmp.Path, new DataSpec()));
        Assert.Contains("data.validationSize", e.Message);
        Assert.Contains("8 samples", e.Message);
    }

    [Fact]
    public void CorruptFileInDirectoryIsNamed()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 8, 2);
        string labels = tmp.File(MnistLoader.TestLabels);
        File.WriteAllBytes(labels, DataTestFiles.IdxLabels([1, 2, 3]));
        var e = Assert.Throws<DataFormatException>(() => MnistLoader.Load(tmp.Path, new DataSpec { ValidationSize = 1 }));
        Assert.Equal(labels, e.FilePath);
    }

    [Fact]
    public void DatasetLoaderUsesSpecPath()
    {
        using var tmp = new TempDir();
        DataTestFiles.WriteMnist(tmp.Path, 9, 4);
        var cache = new DataCache(tmp.File("cache"), (_, _, _) => throw new InvalidOperationException("must not fetch"));
        var splits = DatasetLoader.Load(new DataSpec { Name = "mnist", Path = tmp.Path, ValidationSize = 3 }, cache);
        Assert.Equal(6, splits.Train.Count);
        Assert.Equal(4, splits.Test.Count);
        Assert.Equal("mnist/train", splits.Train.Name);
    }

    private static float[] ImageSplitsTable(bool normalize) => ImageSplits.PixelTable(normalize, MnistLoader.Mean, MnistLoader.Std);
}
