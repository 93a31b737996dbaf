using System.Globalization;
using System.Text;

namespace Apical.Core.Metrics;

/// <summary>Writes metrics.csv one row per evaluation. The header is written with the first row (its extra
/// columns fix the layout); every row is flushed to disk at once so a killed run keeps all completed rows.
/// Never overwrites: the file must not exist yet. Thread-safe.</summary>
public sealed class MetricsCsvWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private readonly object _gate = new();
    private string[]? _extraNames;
    private bool _disposed;

    public string Path { get; }
    public int RowsWritten { get; private set; }

    public MetricsCsvWriter(string path) : this(path, FileMode.CreateNew, null)
    {
    }

    private MetricsCsvWriter(string path, FileMode mode, string[]? extraNames)
    {
        Path = path;
        _extraNames = extraNames;
        _stream = new FileStream(path, mode, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(_stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
    }

    /// <summary>
    /// Continues a resumed run's metrics.csv: keeps the header and the rows up to <paramref name="throughEpoch"/>
    /// (the checkpoint's epoch; later rows were written after it and will be recomputed), rewritten atomically,
    /// then appends.
    /// </summary>
    public static MetricsCsvWriter Resume(string path, int throughEpoch)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new InvalidDataException($"{path}: empty, no header to continue");
        var kept = new List<string> { lines[0] };
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            int comma = lines[i].IndexOf(',');
            if (comma > 0 && int.TryParse(lines[i].AsSpan(0, comma), System.Globalization.NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch) && epoch <= throughEpoch)
                kept.Add(lines[i]);
        }
        string temporary = path + ".partial";
        File.WriteAllText(temporary, string.Join('\n', kept) + "\n", new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
        var header = lines[0].Split(',');
        var extras = header.Skip(MetricsCsv.StandardColumns.Count).ToArray();
        return new MetricsCsvWriter(path, FileMode.Append, kept.Count > 1 || extras.Length > 0 ? extras : null) { RowsWritten = kept.Count - 1 };
    }

    public void Write(EpochMetrics row)
    {
        ArgumentNullException.ThrowIfNull(row);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_extraNames is null)
            {
                _extraNames = ValidateExtraNames(row.Extra);
                _writer.WriteLine(string.Join(',', MetricsCsv.StandardColumns.Concat(_extraNames)));
            }
            else
            {
                CheckSameExtras(row);
            }

            var line = new StringBuilder(160);
            line.Append(row.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Step.ToString(CultureInfo.InvariantCulture));
            foreach (var v in new[]
                     {
                         row.TrainLoss, row.TrainAccuracy, row.ValidationLoss, row.ValidationAccuracy,
                         row.TestLoss, row.TestAccuracy, row.SamplesPerSecond, row.WallSeconds,
                     })
                line.Append(',').Append(MetricsCsv.Format(v));
            foreach (var kv in row.Extra)
                line.Append(',').Append(MetricsCsv.Format(kv.Value));

            _writer.WriteLine(line.ToString());
            _writer.Flush();
            _stream.Flush(flushToDisk: true);
            RowsWritten++;
        }
    }

    private void CheckSameExtras(EpochMetrics row)
    {
        var names = _extraNames!;
        bool same = row.Extra.Count == names.Length;
        for (int i = 0; same && i < names.Length; i++)
            same = row.Extra[i].Key == names[i];
        if (!same)
            throw new InvalidOperationException(
                $"{Path}: epoch {row.Epoch}: extra columns [{string.Join(", ", row.Extra.Select(kv => kv.Key))}] " +
                $"differ from the header's [{string.Join(", ", names)}]; every row must report the same extra columns");
    }

    private string[] ValidateExtraNames(IReadOnlyList<KeyValuePair<string, double>> extra)
    {
        var names = extra.Select(kv => kv.Key).ToArray();
        var seen = new HashSet<string>(MetricsCsv.StandardColumns, StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny([',', '"', '\r', '\n']) >= 0)
                throw new ArgumentException($"{Path}: extra column name '{name}' is empty or holds a comma, quote or newline");
            if (!seen.Add(name))
                throw new ArgumentException($"{Path}: extra column '{name}' appears twice or repeats a standard column");
        }
        return names;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _writer.Dispose();
        }
    }
}
