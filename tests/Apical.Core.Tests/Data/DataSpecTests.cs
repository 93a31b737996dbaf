using System.Text.Json;
using System.Text.Json.Serialization;
using Apical.Core.Data;
using Xunit;

namespace Apical.Core.Tests.Data;

public class DataSpecTests
{
    private static readonly JsonSerializerOptions Strict = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    [Fact]
    public void DefaultsAreMnistWithFiveThousandValidation()
    {
        var spec = JsonSerializer.Deserialize<DataSpec>("{}", Strict)!;
        Assert.Equal("mnist", spec.Name);
        Assert.Equal(5000, spec.EffectiveValidationSize);
        Assert.True(spec.Normalize);
        Assert.Null(spec.TrainLimit);
        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void CamelCaseJsonIsRead()
    {
        const string json = """
            { "name": "teacher-student", "validationSize": 10, "trainLimit": 50, "testLimit": 20, "normalize": false,
              "teacher": { "inputSize": 4, "hiddenSizes": [8, 8], "outputSize": 3, "trainSize": 100, "testSize": 30,
                           "noiseStd": 0.25, "activation": "relu", "seed": 17 } }
            """;
        var spec = JsonSerializer.Deserialize<DataSpec>(json, Strict)!;
        Assert.Empty(spec.Validate());
        Assert.Equal(10, spec.EffectiveValidationSize);
        Assert.Equal(50, spec.TrainLimit);
        Assert.False(spec.Normalize);
        Assert.Equal(new[] { 8, 8 }, spec.Teacher!.HiddenSizes);
        Assert.Equal(0.25, spec.Teacher.NoiseStd);
        Assert.Equal(17UL, spec.Teacher.Seed);

        var splits = DatasetLoader.Load(spec, new DataCache(Path.GetTempPath(), (_, _, _) => throw new InvalidOperationException()));
        Assert.Equal(50, splits.Train.Count);
        Assert.Equal(10, splits.Validation!.Count);
        Assert.Equal(20, splits.Test.Count);
        Assert.Equal(3, splits.Test.OutputSize);
    }

    [Fact]
    public void TeacherStudentDefaultsToNoValidation()
    {
        var spec = new DataSpec { Name = "teacher-student", Teacher = new TeacherSpec() };
        Assert.Equal(0, spec.EffectiveValidationSize);
        Assert.Empty(spec.Validate());
    }

    [Theory]
    [InlineData("""{ "nmae": "mnist" }""")]
    [InlineData("""{ "teacher": { "inputsize": 3 } }""")]
    public void UnknownMembersAreRejected(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DataSpec>(json, Strict));
    }

    [Fact]
    public void ValidateNamesEachBadField()
    {
        var spec = new DataSpec
        {
            Name = "teacher-student",
            ValidationSize = 500,
            TrainLimit = 0,
            TestLimit = -1,
            Teacher = new TeacherSpec
            {
                InputSize = 0, HiddenSizes = [4, -2], OutputSize = 0, TrainSize = 100, TestSize = 0,
                NoiseStd = -1, Activation = "sigmoid",
            },
        };
        var problems = spec.Validate();
        string[] fields =
        [
            "data.validationSize:", "data.trainLimit:", "data.testLimit:", "data.teacher.inputSize:",
            "data.teacher.outputSize:", "data.teacher.hiddenSizes[1]:", "data.teacher.testSize:",
            "data.teacher.noiseStd:", "data.teacher.activation:",
        ];
        foreach (var f in fields) Assert.Contains(problems, p => p.StartsWith(f, StringComparison.Ordinal));
        Assert.Equal(fields.Length, problems.Count);
    }

    [Fact]
    public void UnknownNameAndMisplacedTeacherAreReported()
    {
        Assert.Contains(new DataSpec { Name = "cifar" }.Validate(), p => p.StartsWith("data.name:") && p.Contains("cifar"));
        Assert.Contains(new DataSpec { Name = "teacher-student" }.Validate(), p => p.StartsWith("data.teacher: required"));
        Assert.Contains(new DataSpec { Name = "mnist", Teacher = new TeacherSpec() }.Validate(), p => p.StartsWith("data.teacher: only used"));
        Assert.Contains(new DataSpec { ValidationSize = 60000 }.Validate(), p => p.StartsWith("data.validationSize:"));
    }

    [Fact]
    public void LoaderRejectsInvalidSpecListingProblems()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetLoader.Load(new DataSpec { Name = "nope", TrainLimit = -3 }, null));
        Assert.Contains("data.name", e.Message);
        Assert.Contains("data.trainLimit", e.Message);
    }
}
