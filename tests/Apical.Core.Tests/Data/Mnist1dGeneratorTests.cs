using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

/// <summary>Spec check 14: templates, sizes, split, normalisation, class balance, dilation, determinism.</summary>
public class Mnist1dGeneratorTests
{
    private static readonly Lazy<DataSplits> Default = new(() => Mnist1dGenerator.Generate());

    [Fact]
    public void TemplatesAreProcessedAsSpecified()
    {
        var t = Mnist1dGenerator.Templates();
        double[] zero = [0, 0.236940, 0.355409, 0.414644, 0.473879, 0.473879, 0.473879, 0.473879, 0.414644, 0.355409, 0.236940, 0];
        double[] one = [0, -0.369863, -0.369863, -0.295891, -0.221918, -0.147945, -0.073973, 0, 0.073973, 0.147945, 0, 0];
        for (int i = 0; i < 12; i++)
        {
            Assert.True(Math.Abs(t[0][i] - zero[i]) < 1e-6, $"digit 0 point {i}: {t[0][i]}");
            Assert.True(Math.Abs(t[1][i] - one[i]) < 1e-6, $"digit 1 point {i}: {t[1][i]}");
        }
        foreach (var d in t) Assert.True(Math.Abs(d[0]) < 1e-12 && Math.Abs(d[11]) < 1e-12);
    }

    [Fact]
    public void ShapesSplitAndStatistics()
    {
        var s = Default.Value;
        Assert.Equal(4000, s.Train.Count);
        Assert.Equal(1000, s.Test.Count);
        Assert.Equal(360, s.Train.InputSize);
        Assert.Equal(10, s.Train.NumClasses);
        Assert.Null(s.Validation);

        double sum = 0, sq = 0;
        long n = 0;
        var perClass = new int[10];
        foreach (var ds in new[] { s.Train, s.Test })
        {
            foreach (var v in ds.Inputs.ReadOnlySpan) { sum += v; n++; }
            foreach (var l in ds.Labels!) perClass[l]++;
        }
        double mean = sum / n;
        foreach (var ds in new[] { s.Train, s.Test })
            foreach (var v in ds.Inputs.ReadOnlySpan) sq += (v - mean) * (v - mean);
        Assert.True(Math.Abs(mean) < 1e-6, $"global mean {mean}");
        Assert.True(Math.Abs(Math.Sqrt(sq / n) - 1) < 1e-6, $"global std {Math.Sqrt(sq / n)}");
        Assert.All(perClass, c => Assert.Equal(500, c));

        var train = new int[10];
        foreach (var l in s.Train.Labels!) train[l]++;
        Assert.All(train, c => Assert.InRange(c, 360, 440));
    }

    [Fact]
    public void DilationKeepsTwelveToNineteenTemplatePoints()
    {
        var o = new Mnist1dOptions();
        var t = Mnist1dGenerator.Templates();
        var sample = new double[o.FinalLength];
        var seen = new HashSet<int>();
        for (int i = 0; i < 500; i++)
        {
            Mnist1dGenerator.Sample(t[i % 10], o, i, sample, out int points);
            Assert.InRange(points, 12, 19);
            seen.Add(points);
        }
        Assert.True(seen.Count >= 5, $"only {seen.Count} distinct dilations in 500 samples");
    }

    [Fact]
    public void SameSeedGivesIdenticalDataAnotherSeedDifferentData()
    {
        var a = Default.Value;
        var b = Mnist1dGenerator.Generate();
        Assert.True(a.Train.Inputs.ReadOnlySpan.SequenceEqual(b.Train.Inputs.ReadOnlySpan));
        Assert.Equal(a.Train.Labels, b.Train.Labels);
        var c = Mnist1dGenerator.Generate(new Mnist1dOptions { Seed = 43 });
        Assert.False(a.Train.Inputs.ReadOnlySpan.SequenceEqual(c.Train.Inputs.ReadOnlySpan));
    }

    [Fact]
    public void FortyPointsUseTheSameCurve()
    {
        var o40 = new Mnist1dOptions { FinalLength = 40 };
        var o360 = new Mnist1dOptions();
        var t = Mnist1dGenerator.Templates();
        var s40 = new double[40];
        var s360 = new double[360];
        Mnist1dGenerator.Sample(t[3], o40, 17, s40, out _);
        Mnist1dGenerator.Sample(t[3], o360, 17, s360, out _);
        Assert.Equal(s40[0], s360[0], 12);
        Assert.Equal(s40[39], s360[359], 12);
        var data = Mnist1dGenerator.Generate(o40);
        Assert.Equal(40, data.Train.InputSize);
    }

    [Fact]
    public void LoadsThroughTheDataSpec()
    {
        var splits = DatasetLoader.Load(new DataSpec { Name = "mnist1d", TrainLimit = 200, TestLimit = 50 }, null);
        Assert.Equal(200, splits.Train.Count);
        Assert.Equal(50, splits.Test.Count);
    }
}
