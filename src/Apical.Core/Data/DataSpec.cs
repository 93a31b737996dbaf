using System.Text.Json.Serialization;

namespace Apical.Core.Data;

/// <summary>The names a <see cref="DataSpec"/> accepts.</summary>
public static class DatasetNames
{
    public const string Mnist = "mnist";
    public const string FashionMnist = "fashion-mnist";
    public const string TeacherStudent = "teacher-student";
    /// <summary>MNIST-1D at 360 points (generated, seed 42): 4 000 train, 1 000 test.</summary>
    public const string Mnist1d = "mnist1d";
    /// <summary>The GLE LagLine chain task (a generated stream; the targets come from a teacher network).</summary>
    public const string LagLine = "lagline";
    /// <summary>The GLE LagNet task (sum of sines; the targets come from a teacher network).</summary>
    public const string LagNet = "lagnet";

    public static IReadOnlyList<string> All { get; } = [Mnist, FashionMnist, TeacherStudent, Mnist1d, LagLine, LagNet];

    /// <summary>Data sets generated in code, with no validation split by default.</summary>
    internal static bool IsGenerated(string name) => name is TeacherStudent or Mnist1d or LagLine or LagNet;
}

/// <summary>
/// The JSON-configurable description of a data set (the <c>data</c> section of a run configuration).
/// Unknown JSON members are rejected.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class DataSpec
{
    /// <summary>Number of training images in MNIST and Fashion-MNIST.</summary>
    public const int ImageTrainCount = 60_000;
    /// <summary>Default validation size for the image sets.</summary>
    public const int DefaultImageValidationSize = 5_000;

    /// <summary>"mnist", "fashion-mnist" or "teacher-student".</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = DatasetNames.Mnist;

    /// <summary>
    /// Samples held out of the training set for validation: the LAST <c>validationSize</c> samples of the
    /// training file (for MNIST the reference DFC code's convention: 60 000 training images become
    /// 55 000 train + 5 000 validation, the last 5 000). Null means the data set's default: 5 000 for
    /// MNIST and Fashion-MNIST, 0 for teacher–student. 0 means no validation set.
    /// </summary>
    [JsonPropertyName("validationSize")]
    public int? ValidationSize { get; init; }

    /// <summary>Use only the first N training samples (after the validation split); for fast runs and tests.</summary>
    [JsonPropertyName("trainLimit")]
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N test samples.</summary>
    [JsonPropertyName("testLimit")]
    public int? TestLimit { get; init; }

    /// <summary>Image sets: x/255 then (x - mean)/std with the data set's standard constants. Otherwise x/255.</summary>
    [JsonPropertyName("normalize")]
    public bool Normalize { get; init; } = true;

    /// <summary>
    /// A directory that already holds the data set's files (as laid out in the cache). When set, the cache
    /// is not consulted and nothing is fetched.
    /// </summary>
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    /// <summary>The teacher network of a teacher–student task; required for "teacher-student".</summary>
    [JsonPropertyName("teacher")]
    public TeacherSpec? Teacher { get; init; }

    /// <summary>The validation size actually used.</summary>
    [JsonIgnore]
    public int EffectiveValidationSize =>
        ValidationSize ?? (DatasetNames.IsGenerated(Name) ? 0 : DefaultImageValidationSize);

    /// <summary>Human-readable problems, each naming its field; empty when the spec is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        bool known = DatasetNames.All.Contains(Name);
        if (!known)
            problems.Add($"data.name: must be one of {string.Join(", ", DatasetNames.All)} (got '{Name}')");

        int? trainPool = Name switch
        {
            DatasetNames.Mnist or DatasetNames.FashionMnist => ImageTrainCount,
            DatasetNames.TeacherStudent => Teacher?.TrainSize,
            DatasetNames.Mnist1d => 4000,
            _ => null,
        };
        int v = EffectiveValidationSize;
        if (v < 0 || (trainPool is int n && n > 0 && v >= n))
            problems.Add($"data.validationSize: must be >= 0 and less than the training set ({(trainPool is int p ? p.ToString() : "?")} samples), got {v}");
        if (TrainLimit is int tl && tl <= 0)
            problems.Add($"data.trainLimit: must be > 0 when set, got {tl}");
        if (TestLimit is int sl && sl <= 0)
            problems.Add($"data.testLimit: must be > 0 when set, got {sl}");
        if (Path is not null && string.IsNullOrWhiteSpace(Path))
            problems.Add("data.path: must be a directory when set, got an empty string");

        if (Name == DatasetNames.TeacherStudent)
        {
            if (Teacher is null)
                problems.Add("data.teacher: required when data.name is 'teacher-student'");
            else
                Teacher.Validate("data.teacher", problems);
            if (Path is not null)
                problems.Add("data.path: not used by 'teacher-student' (the data are generated)");
        }
        else if (known && Teacher is not null)
        {
            problems.Add($"data.teacher: only used when data.name is 'teacher-student' (data.name is '{Name}')");
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem of <see cref="Validate"/>.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
            throw new ArgumentException("invalid data specification:" + Environment.NewLine + "  " +
                                        string.Join(Environment.NewLine + "  ", problems));
    }
}

/// <summary>A random teacher MLP that defines a regression task (see <see cref="TeacherStudent"/>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TeacherSpec
{
    public static IReadOnlyList<string> Activations { get; } = ["tanh", "relu", "linear"];

    [JsonPropertyName("inputSize")]
    public int InputSize { get; init; } = 10;

    [JsonPropertyName("hiddenSizes")]
    public int[] HiddenSizes { get; init; } = [];

    [JsonPropertyName("outputSize")]
    public int OutputSize { get; init; } = 1;

    /// <summary>Generated training samples (the validation set, if any, is carved from their end).</summary>
    [JsonPropertyName("trainSize")]
    public int TrainSize { get; init; } = 1000;

    [JsonPropertyName("testSize")]
    public int TestSize { get; init; } = 1000;

    /// <summary>Standard deviation of Gaussian noise added to training and validation targets (test targets stay clean).</summary>
    [JsonPropertyName("noiseStd")]
    public double NoiseStd { get; init; }

    /// <summary>Hidden-layer activation: "tanh", "relu" or "linear". The output layer is linear.</summary>
    [JsonPropertyName("activation")]
    public string Activation { get; init; } = "tanh";

    [JsonPropertyName("seed")]
    public ulong Seed { get; init; } = 1;

    internal void Validate(string prefix, List<string> problems)
    {
        if (InputSize <= 0) problems.Add($"{prefix}.inputSize: must be > 0, got {InputSize}");
        if (OutputSize <= 0) problems.Add($"{prefix}.outputSize: must be > 0, got {OutputSize}");
        if (HiddenSizes is null)
            problems.Add($"{prefix}.hiddenSizes: must be an array (may be empty)");
        else
            for (int i = 0; i < HiddenSizes.Length; i++)
                if (HiddenSizes[i] <= 0) problems.Add($"{prefix}.hiddenSizes[{i}]: must be > 0, got {HiddenSizes[i]}");
        if (TrainSize <= 0) problems.Add($"{prefix}.trainSize: must be > 0, got {TrainSize}");
        if (TestSize <= 0) problems.Add($"{prefix}.testSize: must be > 0, got {TestSize}");
        if (!(NoiseStd >= 0) || double.IsInfinity(NoiseStd))
            problems.Add($"{prefix}.noiseStd: must be a finite number >= 0, got {NoiseStd}");
        if (!Activations.Contains(Activation))
            problems.Add($"{prefix}.activation: must be one of {string.Join(", ", Activations)} (got '{Activation}')");
    }
}
