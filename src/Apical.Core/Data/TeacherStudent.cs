using Apical.Core.Numerics;

namespace Apical.Core.Data;

/// <summary>
/// Teacher–student regression: a random teacher MLP maps standard-normal inputs to targets.
/// <list type="bullet">
/// <item>Teacher weights: Xavier-normal, N(0, 2/(fanIn + fanOut)), no biases; hidden layers use the
/// configured activation, the output layer is linear.</item>
/// <item>Inputs: i.i.d. N(0, 1). Training targets (and the validation set carved from their end) get
/// N(0, noiseStd²) noise; test targets are the teacher's noiseless outputs.</item>
/// <item>Every draw comes from a <see cref="DataRng"/> stream keyed by (teacher seed, purpose, index), so
/// the task depends only on the seed and the sizes.</item>
/// </list>
/// </summary>
public static class TeacherStudent
{
    public static DataSplits Generate(DataSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Teacher is null)
            throw new ArgumentException("data.teacher: required when data.name is 'teacher-student'");
        return Generate(spec.Teacher, spec.EffectiveValidationSize, spec.TrainLimit, spec.TestLimit);
    }

    public static DataSplits Generate(TeacherSpec teacher, int validationSize = 0, int? trainLimit = null, int? testLimit = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var problems = new List<string>();
        teacher.Validate("data.teacher", problems);
        if (validationSize < 0 || validationSize >= teacher.TrainSize)
            problems.Add($"data.validationSize: must be >= 0 and less than the training set ({teacher.TrainSize} samples), got {validationSize}");
        if (problems.Count > 0)
            throw new ArgumentException("invalid teacher-student specification: " + string.Join("; ", problems));

        var weights = TeacherWeights(teacher);
        var pool = Sample(teacher, weights, teacher.TrainSize, DataRng.PurposeTrainInputs, teacher.NoiseStd, "teacher-student/train");
        var test = Sample(teacher, weights, teacher.TestSize, DataRng.PurposeTestInputs, 0, "teacher-student/test");

        int trainCount = teacher.TrainSize - validationSize;
        if (trainLimit is int tl) trainCount = Math.Min(trainCount, Math.Max(tl, 0));
        var train = pool.Slice(0, trainCount);
        var validation = validationSize > 0
            ? pool.Slice(teacher.TrainSize - validationSize, validationSize, "teacher-student/validation")
            : null;
        if (testLimit is int sl && sl < test.Count) test = test.Slice(0, Math.Max(sl, 0));
        return new DataSplits(train, validation, test);
    }

    /// <summary>The teacher's weight matrices, layer by layer, each fanOut x fanIn row-major.</summary>
    public static IReadOnlyList<Tensor> TeacherWeights(TeacherSpec teacher)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        int[] sizes = [teacher.InputSize, .. teacher.HiddenSizes, teacher.OutputSize];
        var layers = new Tensor[sizes.Length - 1];
        for (int l = 0; l < layers.Length; l++)
        {
            int fanIn = sizes[l], fanOut = sizes[l + 1];
            var w = new Tensor(fanOut, fanIn);
            double std = Math.Sqrt(2.0 / (fanIn + fanOut));
            var rng = new DataRng(teacher.Seed, DataRng.PurposeTeacherWeights, (ulong)l);
            var span = w.Span;
            for (int i = 0; i < span.Length; i++) span[i] = (float)(std * rng.NextGaussian());
            layers[l] = w;
        }
        return layers;
    }

    private static Dataset Sample(TeacherSpec teacher, IReadOnlyList<Tensor> weights, int count, ulong purpose,
                                  double noiseStd, string name)
    {
        var x = new Tensor(count, teacher.InputSize);
        var inputRng = new DataRng(teacher.Seed, purpose, 0);
        var xs = x.Span;
        for (int i = 0; i < xs.Length; i++) xs[i] = (float)inputRng.NextGaussian();

        var y = new Tensor(count, teacher.OutputSize);
        var noiseRng = new DataRng(teacher.Seed, DataRng.PurposeNoise, purpose);
        int widest = teacher.InputSize;
        foreach (var w in weights) widest = Math.Max(widest, w.Rows);
        var a = new double[widest];
        var b = new double[widest];
        for (int s = 0; s < count; s++)
        {
            var row = x.Row(s);
            for (int j = 0; j < row.Length; j++) a[j] = row[j];
            for (int l = 0; l < weights.Count; l++)
            {
                var w = weights[l];
                bool hidden = l < weights.Count - 1;
                for (int o = 0; o < w.Rows; o++)
                {
                    var wr = w.Row(o);
                    double sum = 0;
                    for (int j = 0; j < wr.Length; j++) sum += wr[j] * a[j];
                    b[o] = hidden ? Activate(teacher.Activation, sum) : sum;
                }
                (a, b) = (b, a);
            }
            var target = y.Row(s);
            for (int o = 0; o < target.Length; o++)
                target[o] = (float)(a[o] + (noiseStd > 0 ? noiseStd * noiseRng.NextGaussian() : 0));
        }
        return new Dataset(name, x, y, null, 0);
    }

    private static double Activate(string activation, double v) => activation switch
    {
        "tanh" => Math.Tanh(v),
        "relu" => v > 0 ? v : 0,
        "linear" => v,
        _ => throw new ArgumentException($"data.teacher.activation: unknown activation '{activation}'"),
    };
}
