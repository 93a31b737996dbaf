using System.Text.Json;

namespace Apical.Core.Metrics;

/// <summary>Writes summary.json: the run's name, whether it completed, how many epochs ran, the final
/// value of every metrics.csv field (null when unknown) and the evaluation with the best validation accuracy
/// (<c>best_validation</c>: epoch, validation and test accuracy and loss; null without validation). Written atomically: a reader sees the old file or
/// the new one, never a torn one.</summary>
public static class SummaryWriter
{
    public static void Write(string path, string name, bool completed, int epochsRun, EpochMetrics? last, EpochMetrics? bestValidation = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var temp = full + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                WriteObject(json, name, completed, epochsRun, last, bestValidation);
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
    }

    private static void WriteObject(Utf8JsonWriter json, string name, bool completed, int epochsRun, EpochMetrics? last, EpochMetrics? best)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteBoolean("completed", completed);
        json.WriteNumber("epochs_run", epochsRun);
        if (last is null)
        {
            json.WriteNull("epoch");
            json.WriteNull("step");
        }
        else
        {
            json.WriteNumber("epoch", last.Epoch);
            json.WriteNumber("step", last.Step);
        }
        Number(json, "train_loss", last?.TrainLoss);
        Number(json, "train_accuracy", last?.TrainAccuracy);
        Number(json, "validation_loss", last?.ValidationLoss);
        Number(json, "validation_accuracy", last?.ValidationAccuracy);
        Number(json, "test_loss", last?.TestLoss);
        Number(json, "test_accuracy", last?.TestAccuracy);
        Number(json, "samples_per_second", last?.SamplesPerSecond);
        Number(json, "wall_seconds", last?.WallSeconds);
        json.WriteStartObject("extra");
        foreach (var kv in last?.Extra ?? [])
            Number(json, kv.Key, kv.Value);
        json.WriteEndObject();
        if (best is null) json.WriteNull("best_validation");
        else
        {
            json.WriteStartObject("best_validation");
            json.WriteNumber("epoch", best.Epoch);
            Number(json, "validation_accuracy", best.ValidationAccuracy);
            Number(json, "validation_loss", best.ValidationLoss);
            Number(json, "test_accuracy", best.TestAccuracy);
            Number(json, "test_loss", best.TestLoss);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    // JSON has no NaN or infinity: a value that is missing or not finite is written as null.
    private static void Number(Utf8JsonWriter json, string key, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            json.WriteNumber(key, v);
        else
            json.WriteNull(key);
    }
}
