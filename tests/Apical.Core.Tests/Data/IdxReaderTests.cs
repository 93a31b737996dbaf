using System.Buffers.Binary;
using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

public class IdxReaderTests
{
    [Fact]
    public void GoodFilesReadBackExactly()
    {
        using var tmp = new TempDir();
        var images = DataTestFiles.IdxImages(5, 3, 2, (i, j) => (byte)(i * 10 + j));
        File.WriteAllBytes(tmp.File("img"), images);
        File.WriteAllBytes(tmp.File("lbl"), DataTestFiles.IdxLabels([9, 0, 3, 3, 7]));

        var (read, labels) = IdxReader.ReadPair(tmp.File("img"), tmp.File("lbl"), 10);

        Assert.Equal(5, read.Count);
        Assert.Equal(3, read.Height);
        Assert.Equal(2, read.Width);
        Assert.Equal(images.AsSpan(16).ToArray(), read.Pixels.ToArray());
        Assert.Equal(new byte[] { 40, 41, 42, 43, 44, 45 }, read.Image(4).ToArray());
        Assert.Equal(new byte[] { 9, 0, 3, 3, 7 }, labels);
    }

    [Fact]
    public void TruncatedFileNamesFileAndSizes()
    {
        using var tmp = new TempDir();
        var images = DataTestFiles.IdxImages(4, 2, 2, (i, j) => 1);
        File.WriteAllBytes(tmp.File("img"), images[..^3]);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(tmp.File("img")));
        Assert.Equal(tmp.File("img"), e.FilePath);
        Assert.StartsWith(tmp.File("img") + ": truncated", e.Message);
        Assert.Contains("4x2x2", e.Message);
        Assert.Contains($"{images.Length - 3} bytes", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("lbl"), DataTestFiles.IdxLabels([1, 2])[..6]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(tmp.File("lbl"), 10));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TrailingBytesAreReported()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("lbl"), [.. DataTestFiles.IdxLabels([1, 2]), 0, 0]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(tmp.File("lbl"), 10));
        Assert.Contains("2 unexpected bytes", e.Message);
    }

    [Fact]
    public void WrongMagicNamesExpectedAndFound()
    {
        using var tmp = new TempDir();
        string path = tmp.File("train-labels-idx1-ubyte");
        File.WriteAllBytes(path, DataTestFiles.IdxImages(1, 1, 1, (_, _) => 0));

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path, 10));
        Assert.Equal($"{path}: expected magic 0x00000801 (labels), found 0x00000803 (images)", e.Message);
    }

    [Fact]
    public void GzipFileIsRecognised()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("img"), [0x1F, 0x8B, 8, 0, 0, 0, 0, 0]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(tmp.File("img")));
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void NegativeDimensionIsReported()
    {
        using var tmp = new TempDir();
        var bytes = DataTestFiles.IdxImages(1, 1, 1, (_, _) => 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), -1);
        File.WriteAllBytes(tmp.File("img"), bytes);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(tmp.File("img")));
        Assert.Contains("negative size -1", e.Message);
    }

    [Fact]
    public void LabelImageCountMismatchNamesBothFiles()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("img"), DataTestFiles.IdxImages(3, 2, 2, (_, _) => 0));
        File.WriteAllBytes(tmp.File("lbl"), DataTestFiles.IdxLabels([1, 2]));

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadPair(tmp.File("img"), tmp.File("lbl"), 10));
        Assert.Equal(tmp.File("lbl"), e.FilePath);
        Assert.Contains("2 labels", e.Message);
        Assert.Contains("3 images", e.Message);
        Assert.Contains(tmp.File("img"), e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesValueAndItem()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("lbl"), DataTestFiles.IdxLabels([1, 2, 10, 3]));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(tmp.File("lbl"), 10));
        Assert.Equal($"{tmp.File("lbl")}: label 10 of item 2 is outside [0, 10)", e.Message);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(tmp.File("nope")));
        Assert.Contains("file not found", e.Message);
    }
}
