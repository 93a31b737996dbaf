using System.Text.Json;
using Apical.Core.Metrics;
using Xunit;

namespace Apical.Core.Tests.Metrics;

public class SummaryWriterTests
{
    [Fact]
    public void Writes_final_values_name_completion_and_extras()
    {
        using var tmp = new TempDir();
        var path = tmp.File("summary.json");
        var last = new EpochMetrics
        {
            Epoch = 3, Step = 1875, TrainLoss = 0.25, TestAccuracy = 0.9812,
            Extra = [new("angle_w1", 12.5), new("control", double.NaN)],
        };
        SummaryWriter.Write(path, "mnist-bp", completed: true, epochsRun: 3, last);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal("mnist-bp", root.GetProperty("name").GetString());
        Assert.True(root.GetProperty("completed").GetBoolean());
        Assert.Equal(3, root.GetProperty("epochs_run").GetInt32());
        Assert.Equal(1875, root.GetProperty("step").GetInt64());
        Assert.Equal(0.25, root.GetProperty("train_loss").GetDouble());
        Assert.Equal(0.9812, root.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("validation_loss").ValueKind);
        Assert.Equal(12.5, root.GetProperty("extra").GetProperty("angle_w1").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("extra").GetProperty("control").ValueKind);
    }

    [Fact]
    public void Replaces_an_older_summary_whole_and_leaves_no_temp_file()
    {
        using var tmp = new TempDir();
        var path = tmp.File("summary.json");
        SummaryWriter.Write(path, "run", completed: false, epochsRun: 1, new EpochMetrics { Epoch = 1 });
        SummaryWriter.Write(path, "run", completed: false, epochsRun: 0, last: null);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.False(doc.RootElement.GetProperty("completed").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("epochs_run").GetInt32());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("epoch").ValueKind);
        Assert.Equal(["summary.json"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
