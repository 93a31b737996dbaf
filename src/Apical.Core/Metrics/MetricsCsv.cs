using System.Globalization;

namespace Apical.Core.Metrics;

/// <summary>The metrics.csv format: the fixed columns, number formatting, and a reader.</summary>
public static class MetricsCsv
{
    /// <summary>The fixed leading columns, in file order; rule-specific extra columns follow them.</summary>
    public static readonly IReadOnlyList<string> StandardColumns =
    [
        "epoch", "step", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
        "test_loss", "test_accuracy", "samples_per_second", "wall_seconds",
    ];

    /// <summary>The value of column <paramref name="column"/> (a standard or a rule-specific one) in a row; null when
    /// the row has no such column.</summary>
    public static double? Value(EpochMetrics m, string column)
    {
        switch (column)
        {
            case "epoch": return m.Epoch;
            case "step": return m.Step;
            case "train_loss": return m.TrainLoss;
            case "train_accuracy": return m.TrainAccuracy;
            case "validation_loss": return m.ValidationLoss;
            case "validation_accuracy": return m.ValidationAccuracy;
            case "test_loss": return m.TestLoss;
            case "test_accuracy": return m.TestAccuracy;
            case "samples_per_second": return m.SamplesPerSecond;
            case "wall_seconds": return m.WallSeconds;
        }
        foreach (var kv in m.Extra)
            if (kv.Key == column) return kv.Value;
        return null;
    }

    /// <summary>Invariant, round-trippable text for a value; NaN becomes an empty cell.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parses a cell written by <see cref="Format"/>; an empty cell is NaN.</summary>
    public static double ParseCell(string cell) =>
        cell.Length == 0 ? double.NaN : double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Reads every complete row of a metrics.csv. A trailing line without its newline (a run
    /// killed mid-write) is ignored; any other malformed line is a <see cref="FormatException"/> naming it.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream))
            text = reader.ReadToEnd();

        var lines = text.Split('\n');
        // The last element is what follows the final newline: empty for a complete file, else a torn row.
        int complete = lines.Length - 1;
        var rows = new List<EpochMetrics>();
        if (complete < 1)
            return rows;

        var header = lines[0].TrimEnd('\r').Split(',');
        for (int i = 0; i < StandardColumns.Count; i++)
        {
            if (i >= header.Length || header[i] != StandardColumns[i])
                throw new FormatException(
                    $"{path}: line 1: expected column '{StandardColumns[i]}' at position {i + 1}, " +
                    $"found '{(i < header.Length ? header[i] : "")}'");
        }
        var extraNames = header.Skip(StandardColumns.Count).ToArray();

        for (int n = 1; n < complete; n++)
        {
            var line = lines[n].TrimEnd('\r');
            if (line.Length == 0)
                continue;
            var cells = line.Split(',');
            if (cells.Length != header.Length)
                throw new FormatException($"{path}: line {n + 1}: {cells.Length} cells, header has {header.Length}");
            try
            {
                rows.Add(ParseRow(cells, extraNames));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}: line {n + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    private static EpochMetrics ParseRow(string[] c, string[] extraNames)
    {
        var extra = new KeyValuePair<string, double>[extraNames.Length];
        for (int i = 0; i < extraNames.Length; i++)
            extra[i] = new(extraNames[i], ParseCell(c[StandardColumns.Count + i]));
        return new EpochMetrics
        {
            Epoch = int.Parse(c[0], NumberStyles.Integer, CultureInfo.InvariantCulture),
            Step = long.Parse(c[1], NumberStyles.Integer, CultureInfo.InvariantCulture),
            TrainLoss = ParseCell(c[2]),
            TrainAccuracy = ParseCell(c[3]),
            ValidationLoss = ParseCell(c[4]),
            ValidationAccuracy = ParseCell(c[5]),
            TestLoss = ParseCell(c[6]),
            TestAccuracy = ParseCell(c[7]),
            SamplesPerSecond = ParseCell(c[8]),
            WallSeconds = ParseCell(c[9]),
            Extra = extra,
        };
    }
}
