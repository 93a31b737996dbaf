using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Apical.Core.Data;

namespace Apical.Core.Tests.Data;

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("apical-data-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Writers of small synthetic data files.</summary>
internal static class DataTestFiles
{
    public static byte[] IdxImages(int count, int height, int width, Func<int, int, byte> pixel)
    {
        var bytes = new byte[16 + count * height * width];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), height);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), width);
        for (int i = 0; i < count; i++)
            for (int j = 0; j < height * width; j++)
                bytes[16 + i * height * width + j] = pixel(i, j);
        return bytes;
    }

    public static byte[] IdxLabels(IReadOnlyList<byte> labels)
    {
        var bytes = new byte[8 + labels.Count];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Count);
        for (int i = 0; i < labels.Count; i++) bytes[8 + i] = labels[i];
        return bytes;
    }

    /// <summary>Pixel j of image i in the synthetic MNIST sets.</summary>
    public static byte Pixel(int image, int j) => (byte)((image * 7 + j * 13) % 256);

    /// <summary>Label of image i in the synthetic MNIST sets.</summary>
    public static byte Label(int image) => (byte)(image * 3 % 10);

    /// <summary>A directory laid out like MNIST with small 4x4 images (test images are offset by 1000).</summary>
    public static void WriteMnist(string dir, int trainCount, int testCount, int size = 4)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TrainImages), IdxImages(trainCount, size, size, Pixel));
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TrainLabels),
            IdxLabels(Enumerable.Range(0, trainCount).Select(Label).ToArray()));
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TestImages), IdxImages(testCount, size, size, (i, j) => Pixel(i + 1000, j)));
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TestLabels),
            IdxLabels(Enumerable.Range(0, testCount).Select(i => Label(i + 1000)).ToArray()));
    }

    /// <summary>
    /// Fashion-MNIST class files: class c holds <paramref name="perClass"/> 784-pixel images whose pixel 0 is c
    /// and pixel 1 the image's index among the valid images of its class; class 0 also gets an empty entry.
    /// </summary>
    public static void WriteFashion(string dir, int perClass)
    {
        Directory.CreateDirectory(dir);
        for (int c = 0; c < 10; c++)
        {
            var sb = new StringBuilder("{\"data\":[");
            for (int k = 0; k < perClass; k++)
            {
                if (k > 0) sb.Append(',');
                if (c == 0 && k == 1) sb.Append("[],");
                sb.Append('[').Append(c).Append(',').Append(k);
                for (int j = 2; j < 784; j++) sb.Append(',').Append((j * 31 + k) % 256);
                sb.Append(']');
            }
            sb.Append("]}");
            File.WriteAllText(Path.Combine(dir, $"{c}.json"), sb.ToString());
        }
    }

    /// <summary>A .tgz holding the given files under <paramref name="folder"/>, as npm pack produces.</summary>
    public static void WriteTarball(string tgzPath, string folder, IEnumerable<(string Name, byte[] Content)> files)
    {
        using var fs = File.Create(tgzPath);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Ustar);
        var readme = new UstarTarEntry(TarEntryType.RegularFile, "package/readme.md") { DataStream = new MemoryStream("hi"u8.ToArray()) };
        tar.WriteEntry(readme);
        foreach (var (name, content) in files)
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{folder}/{name}") { DataStream = new MemoryStream(content) });
    }
}
