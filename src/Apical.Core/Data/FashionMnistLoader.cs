using System.Text;
using System.Text.Json;

namespace Apical.Core.Data;

/// <summary>
/// Fashion-MNIST from the npm package <c>fashion-mnist</c> 1.1.0, whose <c>package/src/clothes/0.json</c> …
/// <c>9.json</c> hold one class each (standard class numbering: 0 T-shirt/top, 1 Trouser, 2 Pullover,
/// 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot) as
/// <c>{"data": [[784 integers 0..255, row-major 28x28], ...]}</c>. Each class has 7 000 images; 0.json
/// also contains two empty arrays (at positions 1000 and 7001), which are skipped.
/// <para>
/// The package fixes no train/test split (its own <c>set(train, test)</c> takes, per class, the first
/// train/10 images for training and the next test/10 for testing, then shuffles randomly). This loader
/// uses the same per-class ranges deterministically: per class the first 6 000 images are training and the
/// last 1 000 test, giving the standard 60 000 / 10 000 sizes. Both sets are interleaved round-robin by
/// class (sample k of class c at position 10k + c), so any prefix (trainLimit, testLimit) and the validation
/// set (the last <c>validationSize</c> training images, 500 per class by default) are class-balanced.
/// </para>
/// Pixels become x/255, then (x - 0.2860)/0.3530 when normalising.
/// </summary>
public static class FashionMnistLoader
{
    public const int NumClasses = 10;
    public const int PixelsPerImage = 28 * 28;
    public const int TestPerClass = 1_000;
    public const double Mean = 0.2860;
    public const double Std = 0.3530;

    public static IReadOnlyList<string> Files { get; } =
        Enumerable.Range(0, NumClasses).Select(c => $"{c}.json").ToArray();

    public static DataSplits Load(string directory, DataSpec spec, Action<string>? progress = null) =>
        Load(directory, spec, progress, TestPerClass);

    /// <summary>Reads and checks the ten class files (used to validate a fetched or hand-placed directory).</summary>
    public static void Validate(string directory) => Split(directory, ReadClasses(directory, null), TestPerClass);

    internal static DataSplits Load(string directory, DataSpec spec, Action<string>? progress, int testPerClass)
    {
        ArgumentNullException.ThrowIfNull(spec);
        progress?.Invoke($"reading Fashion-MNIST from {directory}");
        var classes = ReadClasses(directory, progress);
        var (train, test) = Split(directory, classes, testPerClass);
        return ImageSplits.Build(DatasetNames.FashionMnist, directory, train, test, NumClasses, spec, Mean, Std);
    }

    /// <summary>A class's valid images, concatenated.</summary>
    private readonly record struct ClassImages(string Path, byte[] Pixels, int Count);

    private static ClassImages[] ReadClasses(string directory, Action<string>? progress)
    {
        var classes = new ClassImages[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            string path = Path.Combine(directory, Files[c]);
            if (!File.Exists(path))
                throw new DataFormatException(path, $"file not found (expected Fashion-MNIST class {c}; the directory must hold {string.Join(", ", Files)})");
            classes[c] = ReadClass(path, out int skipped);
            if (skipped > 0)
                progress?.Invoke($"{Files[c]}: skipped {skipped} empty image entr{(skipped == 1 ? "y" : "ies")}");
        }
        return classes;
    }

    /// <summary>Per class: all but the last <paramref name="testPerClass"/> images train, the rest test; round-robin by class.</summary>
    private static (ImageSplits.Pool Train, ImageSplits.Pool Test) Split(string directory, ClassImages[] classes, int testPerClass)
    {
        var trainCounts = new int[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            if (classes[c].Count <= testPerClass)
                throw new DataFormatException(classes[c].Path,
                    $"holds {classes[c].Count} images; at least {testPerClass + 1} are needed ({testPerClass} per class form the test set)");
            trainCounts[c] = classes[c].Count - testPerClass;
        }
        var testCounts = Enumerable.Repeat(testPerClass, NumClasses).ToArray();
        var train = Interleave(classes, trainCounts, start: _ => 0);
        var test = Interleave(classes, testCounts, start: c => trainCounts[c]);
        return (train, test);
    }

    private static ImageSplits.Pool Interleave(ClassImages[] classes, int[] counts, Func<int, int> start)
    {
        int total = counts.Sum();
        var pixels = new byte[total * PixelsPerImage];
        var labels = new byte[total];
        int n = 0;
        for (int k = 0; n < total; k++)
            for (int c = 0; c < NumClasses; c++)
            {
                if (k >= counts[c]) continue;
                int src = (start(c) + k) * PixelsPerImage;
                classes[c].Pixels.AsSpan(src, PixelsPerImage).CopyTo(pixels.AsSpan(n * PixelsPerImage));
                labels[n++] = (byte)c;
            }
        return new ImageSplits.Pool(pixels, 0, PixelsPerImage, labels);
    }

    private static ClassImages ReadClass(string path, out int skipped)
    {
        byte[] json = File.ReadAllBytes(path);
        skipped = 0;
        var pixels = new byte[Math.Max(PixelsPerImage, json.Length / 3)]; // about 3 bytes of JSON per pixel
        int count = 0, entry = -1;
        bool sawData = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new DataFormatException(path, "expected a JSON object {\"data\": [[...], ...]}");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                sawData = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new DataFormatException(path, "\"data\" must be an array of images");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    entry++;
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw new DataFormatException(path, $"data[{entry}]: expected an array of {PixelsPerImage} pixel values, found {reader.TokenType}");
                    if ((count + 1) * PixelsPerImage > pixels.Length)
                        Array.Resize(ref pixels, pixels.Length * 2);
                    int p = 0, at = count * PixelsPerImage;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int v) || v < 0 || v > 255)
                            throw new DataFormatException(path, $"data[{entry}][{p}]: expected an integer pixel value 0..255, found {TokenText(ref reader)}");
                        if (p == PixelsPerImage)
                            throw new DataFormatException(path, $"data[{entry}]: more than {PixelsPerImage} pixel values");
                        pixels[at + p++] = (byte)v;
                    }
                    if (p == 0) { skipped++; continue; }
                    if (p != PixelsPerImage)
                        throw new DataFormatException(path, $"data[{entry}]: {p} pixel values, expected {PixelsPerImage} (28x28)");
                    count++;
                }
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"malformed JSON (truncated or corrupt file?): {e.Message}");
        }
        if (!sawData)
            throw new DataFormatException(path, "no \"data\" array found");
        return new ClassImages(path, pixels, count);
    }

    private static string TokenText(ref Utf8JsonReader reader) =>
        reader.TokenType switch
        {
            JsonTokenType.Number or JsonTokenType.String =>
                Encoding.UTF8.GetString(reader.ValueSpan), // one contiguous buffer: no value sequences
            var t => t.ToString(),
        };
}
