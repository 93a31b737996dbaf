namespace Apical.Actors.Tests.TestSupport;

/// <summary>Rows of a run's metrics.csv without the wall-clock columns (samples_per_second, wall_seconds).</summary>
internal static class MetricsCsv
{
    public static List<string> Deterministic(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int sps = Array.IndexOf(header, "samples_per_second"), wall = Array.IndexOf(header, "wall_seconds");
        if (sps < 0 || wall < 0) throw new InvalidDataException($"{path}: no wall-clock columns in '{lines[0]}'");
        var rows = new List<string>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            rows.Add(string.Join(',', cells.Where((_, i) => i != sps && i != wall)));
        }
        return rows;
    }
}
