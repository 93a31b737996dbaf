using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

public class TeacherStudentTests
{
    private static TeacherSpec Spec(ulong seed = 5, double noise = 0.1, string activation = "tanh") => new()
    {
        InputSize = 6, HiddenSizes = [8, 4], OutputSize = 2, TrainSize = 40, TestSize = 15,
        NoiseStd = noise, Activation = activation, Seed = seed,
    };

    [Fact]
    public void SameSeedGivesIdenticalData()
    {
        var a = TeacherStudent.Generate(Spec(), validationSize: 10);
        var b = TeacherStudent.Generate(Spec(), validationSize: 10);
        Assert.Equal(a.Train.Inputs.Span.ToArray(), b.Train.Inputs.Span.ToArray());
        Assert.Equal(a.Train.Targets.Span.ToArray(), b.Train.Targets.Span.ToArray());
        Assert.Equal(a.Validation!.Targets.Span.ToArray(), b.Validation!.Targets.Span.ToArray());
        Assert.Equal(a.Test.Targets.Span.ToArray(), b.Test.Targets.Span.ToArray());
    }

    [Fact]
    public void DifferentSeedGivesDifferentData()
    {
        var a = TeacherStudent.Generate(Spec(seed: 5));
        var b = TeacherStudent.Generate(Spec(seed: 6));
        Assert.NotEqual(a.Train.Inputs.Span.ToArray(), b.Train.Inputs.Span.ToArray());
        Assert.NotEqual(a.Test.Targets.Span.ToArray(), b.Test.Targets.Span.ToArray());
    }

    [Fact]
    public void ShapesAndSplitsFollowTheSpec()
    {
        var s = TeacherStudent.Generate(Spec(), validationSize: 10, trainLimit: 25, testLimit: 5);
        Assert.Equal(25, s.Train.Count);
        Assert.Equal(10, s.Validation!.Count);
        Assert.Equal(5, s.Test.Count);
        Assert.Equal(6, s.Train.InputSize);
        Assert.Equal(2, s.Train.OutputSize);
        Assert.Null(s.Train.Labels);
        Assert.Equal(0, s.Train.NumClasses);
        // The validation set is the tail of the generated training pool.
        var full = TeacherStudent.Generate(Spec());
        Assert.Equal(full.Train.Inputs.Row(30).ToArray(), s.Validation.Inputs.Row(0).ToArray());
    }

    [Fact]
    public void TestTargetsAreTheNoiselessTeacherAndTrainTargetsCarryNoise()
    {
        var clean = TeacherStudent.Generate(Spec(noise: 0));
        var noisy = TeacherStudent.Generate(Spec(noise: 0.5));
        Assert.Equal(clean.Test.Targets.Span.ToArray(), noisy.Test.Targets.Span.ToArray());
        Assert.Equal(clean.Train.Inputs.Span.ToArray(), noisy.Train.Inputs.Span.ToArray());
        double sq = 0;
        var a = clean.Train.Targets.Span;
        var b = noisy.Train.Targets.Span;
        for (int i = 0; i < a.Length; i++) sq += (a[i] - b[i]) * (double)(a[i] - b[i]);
        double std = Math.Sqrt(sq / a.Length);
        Assert.InRange(std, 0.35, 0.65);
    }

    [Fact]
    public void LinearTeacherWithoutHiddenLayerIsTheWeightMatrix()
    {
        var spec = new TeacherSpec { InputSize = 3, OutputSize = 2, TrainSize = 5, TestSize = 5, Activation = "linear", Seed = 11 };
        var w = TeacherStudent.TeacherWeights(spec)[0];
        var s = TeacherStudent.Generate(spec);
        for (int i = 0; i < 5; i++)
            for (int o = 0; o < 2; o++)
            {
                double y = 0;
                for (int j = 0; j < 3; j++) y += w[o, j] * (double)s.Test.Inputs[i, j];
                Assert.Equal(y, s.Test.Targets[i, o], 5);
            }
    }

    [Fact]
    public void XavierScaleAndStandardNormalInputs()
    {
        var spec = new TeacherSpec { InputSize = 200, HiddenSizes = [300], OutputSize = 1, TrainSize = 200, TestSize = 1, Seed = 3 };
        var w = TeacherStudent.TeacherWeights(spec)[0];
        Assert.InRange(Std(w.Span.ToArray()), 0.95 * Math.Sqrt(2.0 / 500), 1.05 * Math.Sqrt(2.0 / 500));
        Assert.InRange(Std(TeacherStudent.Generate(spec).Train.Inputs.Span.ToArray()), 0.98, 1.02);
    }

    [Fact]
    public void ReluTeacherDiffersFromTanh()
    {
        var a = TeacherStudent.Generate(Spec(activation: "relu", noise: 0));
        var b = TeacherStudent.Generate(Spec(activation: "tanh", noise: 0));
        Assert.NotEqual(a.Test.Targets.Span.ToArray(), b.Test.Targets.Span.ToArray());
    }

    private static double Std(float[] v)
    {
        double mean = v.Average(x => (double)x);
        return Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
    }
}
