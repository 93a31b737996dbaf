using System.Buffers.Binary;

namespace Apical.Core.Data;

/// <summary>Images of an IDX file: <see cref="Count"/> images of Height x Width unsigned bytes, row-major.</summary>
public sealed class IdxImages
{
    private readonly byte[] _buffer;
    private readonly int _offset;

    internal IdxImages(string path, int count, int height, int width, byte[] buffer, int offset)
    {
        Path = path;
        Count = count;
        Height = height;
        Width = width;
        _buffer = buffer;
        _offset = offset;
    }

    public string Path { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    public int PixelsPerImage => Height * Width;

    /// <summary>The file's bytes and where the pixels start in them (avoids copying at load time).</summary>
    internal byte[] Buffer => _buffer;
    internal int Offset => _offset;

    /// <summary>All pixels, image after image.</summary>
    public ReadOnlySpan<byte> Pixels => _buffer.AsSpan(_offset, Count * PixelsPerImage);

    public ReadOnlySpan<byte> Image(int index) => _buffer.AsSpan(_offset + index * PixelsPerImage, PixelsPerImage);
}

/// <summary>
/// Reads uncompressed IDX files (the MNIST format): a big-endian magic number 0x0000TTNN where TT is the
/// element type (0x08 = unsigned byte) and NN the number of dimensions, then NN big-endian int32 sizes,
/// then the elements. Every inconsistency is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads a 3-D unsigned-byte IDX file (images).</summary>
    public static IdxImages ReadImages(string path)
    {
        var (bytes, dims, offset) = ReadChecked(path, ImagesMagic, "images");
        if (dims[1] <= 0 || dims[2] <= 0)
            throw new DataFormatException(path, $"image size {dims[1]}x{dims[2]} is not positive");
        return new IdxImages(path, dims[0], dims[1], dims[2], bytes, offset);
    }

    /// <summary>Reads a 1-D unsigned-byte IDX file (labels) and checks each label is below <paramref name="numClasses"/>.</summary>
    public static byte[] ReadLabels(string path, int numClasses)
    {
        var (bytes, dims, offset) = ReadChecked(path, LabelsMagic, "labels");
        var labels = bytes.AsSpan(offset, dims[0]);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= numClasses)
                throw new DataFormatException(path, $"label {labels[i]} of item {i} is outside [0, {numClasses})");
        return labels.ToArray();
    }

    /// <summary>Reads an images file and its labels file and checks they hold the same number of items.</summary>
    public static (IdxImages Images, byte[] Labels) ReadPair(string imagesPath, string labelsPath, int numClasses)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath, numClasses);
        if (labels.Length != images.Count)
            throw new DataFormatException(labelsPath,
                $"holds {labels.Length} labels but its images file {imagesPath} holds {images.Count} images");
        return (images, labels);
    }

    private static (byte[] Bytes, int[] Dims, int DataOffset) ReadChecked(string path, int expectedMagic, string kind)
    {
        if (!File.Exists(path))
            throw new DataFormatException(path, $"file not found (expected an IDX {kind} file)");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
            throw new DataFormatException(path, "is gzip-compressed; decompress it first (IDX files are read uncompressed)");
        if (bytes.Length < 4)
            throw new DataFormatException(path, $"truncated: {bytes.Length} bytes, too short for an IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new DataFormatException(path,
                $"expected magic 0x{expectedMagic:X8} ({kind}), found 0x{magic:X8}{Describe(magic)}");
        int ndims = expectedMagic & 0xFF;
        int headerSize = 4 + 4 * ndims;
        if (bytes.Length < headerSize)
            throw new DataFormatException(path,
                $"truncated: {bytes.Length} bytes, but the header of a {ndims}-dimensional IDX file needs {headerSize}");
        var dims = new int[ndims];
        long elements = 1;
        for (int d = 0; d < ndims; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] < 0)
                throw new DataFormatException(path, $"dimension {d} has negative size {dims[d]}");
            elements *= dims[d];
        }
        long expected = headerSize + elements;
        string shape = string.Join("x", dims);
        if (bytes.Length < expected)
            throw new DataFormatException(path,
                $"truncated: the header declares {shape} ({elements} bytes of data, {expected} bytes in all) but the file has {bytes.Length} bytes");
        if (bytes.Length > expected)
            throw new DataFormatException(path,
                $"{bytes.Length - expected} unexpected bytes after the {shape} data the header declares");
        return (bytes, dims, headerSize);
    }

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => " (images)",
        LabelsMagic => " (labels)",
        _ when (magic >> 16) != 0 => " (not an IDX file)",
        _ => $" (IDX type 0x{(magic >> 8) & 0xFF:X2} with {magic & 0xFF} dimensions)",
    };
}
