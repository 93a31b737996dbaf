using Apical.Core.Numerics;

namespace Apical.Core.Data;

/// <summary>Turns byte images and labels into float data sets with the split and limits of a <see cref="DataSpec"/>.</summary>
internal static class ImageSplits
{
    /// <summary>A pool of images: <c>Labels.Length</c> images of <c>PixelsPerImage</c> bytes each.</summary>
    internal readonly record struct Pool(byte[] Pixels, int Offset, int PixelsPerImage, byte[] Labels)
    {
        public ReadOnlySpan<byte> Image(int i) => Pixels.AsSpan(Offset + i * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>Byte value -> float: x/255, then (x - mean)/std when normalising. Computed in double, rounded once.</summary>
    internal static float[] PixelTable(bool normalize, double mean, double std)
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++)
        {
            double x = b / 255.0;
            table[b] = (float)(normalize ? (x - mean) / std : x);
        }
        return table;
    }

    /// <summary>
    /// Validation = the last <c>validationSize</c> images of the training pool; train = the images before
    /// them (the first <c>trainLimit</c> if set); test = the first <c>testLimit</c> images of the test pool.
    /// </summary>
    internal static DataSplits Build(string name, string source, Pool train, Pool test, int numClasses,
                                     DataSpec spec, double mean, double std)
    {
        if (train.PixelsPerImage != test.PixelsPerImage)
            throw new DataFormatException(source,
                $"training images have {train.PixelsPerImage} pixels but test images have {test.PixelsPerImage}");
        int pool = train.Labels.Length;
        int v = spec.EffectiveValidationSize;
        if (v < 0 || v >= pool)
            throw new ArgumentException(
                $"data.validationSize: must be >= 0 and less than the training set ({pool} samples in {source}), got {v}");
        int trainCount = pool - v;
        if (spec.TrainLimit is int tl) trainCount = Math.Min(trainCount, tl);
        int testCount = test.Labels.Length;
        if (spec.TestLimit is int sl) testCount = Math.Min(testCount, sl);

        float[] table = PixelTable(spec.Normalize, mean, std);
        var trainSet = Convert(name + "/train", train, 0, trainCount, table, numClasses);
        var validation = v > 0 ? Convert(name + "/validation", train, pool - v, v, table, numClasses) : null;
        var testSet = Convert(name + "/test", test, 0, testCount, table, numClasses);
        return new DataSplits(trainSet, validation, testSet);
    }

    private static Dataset Convert(string name, Pool pool, int start, int count, float[] table, int numClasses)
    {
        int d = pool.PixelsPerImage;
        var x = new Tensor(count, d);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            var src = pool.Image(start + i);
            var dst = x.Row(i);
            for (int j = 0; j < d; j++) dst[j] = table[src[j]];
            labels[i] = pool.Labels[start + i];
        }
        return Dataset.Classification(name, x, labels, numClasses);
    }
}
