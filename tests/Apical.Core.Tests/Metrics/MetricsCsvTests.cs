using System.Globalization;
using Apical.Core.Metrics;
using Xunit;

namespace Apical.Core.Tests.Metrics;

public class MetricsCsvTests
{
    private static EpochMetrics Row(int epoch, double trainLoss, params (string, double)[] extra) => new()
    {
        Epoch = epoch,
        Step = epoch * 100L,
        TrainLoss = trainLoss,
        TrainAccuracy = 0.875,
        TestLoss = 1.0 / 3.0,
        TestAccuracy = 0.9123456789,
        SamplesPerSecond = 12345.5,
        WallSeconds = 2.25,
        Extra = extra.Select(e => new KeyValuePair<string, double>(e.Item1, e.Item2)).ToArray(),
    };

    [Fact]
    public void Writes_header_with_extra_columns_and_invariant_numbers_with_empty_cells_for_NaN()
    {
        using var tmp = new TempDir();
        var path = tmp.File("metrics.csv");
        var previous = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.CurrentCulture = comma;
        try
        {
            using var writer = new MetricsCsvWriter(path);
            writer.Write(Row(1, 0.5, ("angle_w1", 42.5), ("control", double.NaN)));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal(
            "epoch,step,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,test_accuracy," +
            "samples_per_second,wall_seconds,angle_w1,control", lines[0]);
        Assert.Equal("1,100,0.5,0.875,,,0.3333333333333333,0.9123456789,12345.5,2.25,42.5,", lines[1]);
    }

    [Fact]
    public void Round_trips_through_the_reader_exactly()
    {
        using var tmp = new TempDir();
        var path = tmp.File("metrics.csv");
        var rows = new[] { Row(1, 2.302585093, ("a", 1e-7)), Row(2, double.NaN, ("a", double.PositiveInfinity)) };
        using (var writer = new MetricsCsvWriter(path))
            foreach (var r in rows)
                writer.Write(r);

        var read = MetricsCsv.Read(path);
        Assert.Equal(2, read.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].Epoch, read[i].Epoch);
            Assert.Equal(rows[i].Step, read[i].Step);
            Assert.Equal(rows[i].TrainLoss, read[i].TrainLoss);
            Assert.Equal(rows[i].TestLoss, read[i].TestLoss);
            Assert.Equal(rows[i].TestAccuracy, read[i].TestAccuracy);
            Assert.True(double.IsNaN(read[i].ValidationLoss));
            Assert.Equal(rows[i].Extra, read[i].Extra);
        }
        Assert.True(double.IsNaN(read[1].TrainLoss));
    }

    [Fact]
    public void Each_row_is_on_disk_before_the_writer_is_closed()
    {
        using var tmp = new TempDir();
        var path = tmp.File("metrics.csv");
        using var writer = new MetricsCsvWriter(path);
        writer.Write(Row(1, 0.7));
        writer.Write(Row(2, 0.6));

        var read = MetricsCsv.Read(path); // writer still open, as in a killed run
        Assert.Equal([1, 2], read.Select(r => r.Epoch));
    }

    [Fact]
    public void Reader_ignores_a_torn_last_line_but_rejects_a_short_complete_one()
    {
        using var tmp = new TempDir();
        var path = tmp.File("metrics.csv");
        using (var writer = new MetricsCsvWriter(path))
            writer.Write(Row(1, 0.7));
        File.AppendAllText(path, "2,200,0.6");
        Assert.Single(MetricsCsv.Read(path));

        File.AppendAllText(path, "\n");
        var e = Assert.Throws<FormatException>(() => MetricsCsv.Read(path));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Rejects_a_row_whose_extra_columns_differ_from_the_first()
    {
        using var tmp = new TempDir();
        var path = tmp.File("metrics.csv");
        using var writer = new MetricsCsvWriter(path);
        writer.Write(Row(1, 0.7, ("angle", 10)));

        var e = Assert.Throws<InvalidOperationException>(() => writer.Write(Row(2, 0.6, ("effort", 3))));
        Assert.Contains("effort", e.Message);
        Assert.Contains("angle", e.Message);
        Assert.Throws<InvalidOperationException>(() => writer.Write(Row(2, 0.6)));
        Assert.Equal(1, writer.RowsWritten);
        Assert.Single(MetricsCsv.Read(path));
    }

    [Fact]
    public void Rejects_extra_column_names_that_would_break_the_file()
    {
        using var tmp = new TempDir();
        using var writer = new MetricsCsvWriter(tmp.File("metrics.csv"));
        Assert.Throws<ArgumentException>(() => writer.Write(Row(1, 0.7, ("a,b", 1))));
        Assert.Throws<ArgumentException>(() => writer.Write(Row(1, 0.7, ("test_loss", 1))));
    }

    [Fact]
    public void Never_overwrites_an_existing_file()
    {
        using var tmp = new TempDir();
        var path = tmp.File("metrics.csv");
        File.WriteAllText(path, "precious\n");
        Assert.Throws<IOException>(() => new MetricsCsvWriter(path));
        Assert.Equal("precious\n", File.ReadAllText(path));
    }
}
