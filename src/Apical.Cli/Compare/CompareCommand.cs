using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Apical.Core.Metrics;

namespace Apical.Cli;

/// <summary><c>apical compare RUN_DIR [RUN_DIR …] [--last K] [--metric COLUMN …]</c>: one Markdown table of several runs
/// (seeds, rules, ablations) with every reading of "the result" a paper may mean (<see cref="RunStatistics"/>), the last
/// epoch's value of any other metrics.csv column asked for, and, for two runs or more, their mean ± standard
/// deviation.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runDirs = new Argument<string[]>("RUN_DIR") { Description = $"Run directories holding {RunDirectory.MetricsFile}.", Arity = ArgumentArity.OneOrMore };
        var last = CliOptions.PositiveInt("--last", "Epochs averaged at the end of each run (default 10).", "K");
        var metric = new Option<string[]>("--metric")
        {
            Description = "Add the last epoch's value of this metrics.csv column (repeatable), e.g. condition2, link_mean_staleness.",
            HelpName = "COLUMN",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("compare", "Tabulate runs: final test score, the score at the best validation epoch, the best epoch, " +
                                             "the mean of the last epochs, and over several runs their mean ± SD (Markdown).")
        {
            runDirs, last, metric,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            return RunDirArguments.Guard(stderr, () =>
            {
                int k = parse.GetValue(last) ?? 10;
                string[] columns = parse.GetValue(metric) ?? [];
                var runs = new List<Run>();
                foreach (var path in parse.GetValue(runDirs)!)
                {
                    var dir = RunDirArguments.Open(path);
                    string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir.Path));
                    var (rule, seed) = RuleAndSeed(dir.ConfigPath);
                    var rows = MetricsCsv.Read(dir.MetricsPath);
                    var values = new double?[columns.Length];
                    if (rows.Count > 0)
                        for (int c = 0; c < columns.Length; c++) values[c] = MetricsCsv.Value(rows[^1], columns[c]);
                    runs.Add(new Run(RunStatistics.Of(name, rows, k), name, rule, seed, values));
                }
                for (int c = 0; c < columns.Length; c++)
                {
                    bool found = false;
                    foreach (var r in runs) found |= r.Values[c] is not null;
                    if (!found) throw new UsageException($"--metric: no run's {RunDirectory.MetricsFile} has a column '{columns[c]}'");
                }
                stdout.Write(Table(runs, k, columns));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary>One run: its statistics (null before its first trained epoch), config facts and the asked columns' last
    /// values (null where its metrics.csv lacks the column).</summary>
    internal sealed record Run(RunStatistics? Stats, string Name, string Rule, string Seed, double?[] Values);

    /// <summary>The Markdown table; a run without a trained epoch gets a row of n/a.</summary>
    internal static string Table(IReadOnlyList<Run> runs, int k, IReadOnlyList<string> columns)
    {
        bool anyAccuracy = false, anyLoss = false;
        foreach (var r in runs)
            if (r.Stats is { } s) { anyAccuracy |= s.Accuracy; anyLoss |= !s.Accuracy; }
        bool accuracy = anyAccuracy || !anyLoss;
        string unit = accuracy ? "test acc %" : "test loss";
        var w = new StringWriter(CultureInfo.InvariantCulture);
        var extraHeader = new StringBuilder();
        foreach (var c in columns) extraHeader.Append($" {c} (last) |");
        w.WriteLine($"| run | rule | seed | epochs | final {unit} | at best validation: epoch, {unit} | best epoch: epoch, {unit} | last {k}: mean ± SD | wall h |{extraHeader}");
        w.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|" + string.Concat(Enumerable.Repeat("---:|", columns.Count)));
        var finals = new List<double>();
        var atBest = new List<double>();
        var lastMeans = new List<double>();
        var columnValues = new List<double>[columns.Count];
        for (int c = 0; c < columns.Count; c++) columnValues[c] = new List<double>();
        foreach (var run in runs)
        {
            var (s, name, rule, seed) = (run.Stats, run.Name, run.Rule, run.Seed);
            var extra = new StringBuilder();
            for (int c = 0; c < columns.Count; c++) extra.Append($" {Plain(run.Values[c])} |");
            if (s is null)
            {
                w.WriteLine($"| {name} | {rule} | {seed} | 0 | n/a | n/a | n/a | n/a | n/a |{extra}");
                continue;
            }
            string lastCell = $"{Score(s.LastMean, s.Accuracy)} ± {Spread(s.LastSd, s.Accuracy)}" + (s.LastCount < k ? $" ({s.LastCount} epoch{(s.LastCount == 1 ? "" : "s")})" : "");
            w.WriteLine($"| {name} | {rule} | {seed} | {s.Epochs} | {Score(s.Final, s.Accuracy)} | {s.BestValidationEpoch}: {Score(s.AtBestValidation, s.Accuracy)} | " +
                        $"{s.BestTestEpoch}: {Score(s.BestTest, s.Accuracy)} | {lastCell} | {Hours(s.WallSeconds)} |{extra}");
            if (s.Accuracy != accuracy) continue;
            finals.Add(s.Final);
            atBest.Add(s.AtBestValidation);
            lastMeans.Add(s.LastMean);
            for (int c = 0; c < columns.Count; c++)
                if (run.Values[c] is { } v && !double.IsNaN(v)) columnValues[c].Add(v);
        }
        if (finals.Count >= 2)
        {
            var extra = new StringBuilder();
            foreach (var values in columnValues)
            {
                var (mean, sd) = RunStatistics.MeanSd(values);
                extra.Append($" {Plain(mean)} ± {Plain(sd)} |");
            }
            w.WriteLine($"| mean ± SD of {finals.Count} runs | | | | {MeanSd(finals, accuracy)} | {MeanSd(atBest, accuracy)} | | {MeanSd(lastMeans, accuracy)} | |{extra}");
        }
        if (anyAccuracy && anyLoss)
            w.WriteLine("\nRuns without accuracy (regression) are left out of the mean, which is over the classification runs.");
        return w.ToString();
    }

    private static string MeanSd(List<double> values, bool accuracy)
    {
        var (mean, sd) = RunStatistics.MeanSd(values);
        return $"{Score(mean, accuracy)} ± {Spread(sd, accuracy)}";
    }

    private static string Score(double v, bool accuracy) =>
        double.IsNaN(v) ? "n/a" : accuracy ? (100 * v).ToString("F2", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Spread(double v, bool accuracy) =>
        double.IsNaN(v) ? "n/a" : accuracy ? (100 * v).ToString("F2", CultureInfo.InvariantCulture) : v.ToString("G2", CultureInfo.InvariantCulture);

    private static string Plain(double? v) =>
        v is not { } x || double.IsNaN(x) ? "n/a" : x.ToString("G4", CultureInfo.InvariantCulture);

    private static string Hours(double seconds) =>
        double.IsNaN(seconds) ? "n/a" : (seconds / 3600).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>The rule and seed from the run's config.json, read leniently: a run of an older build stays comparable.</summary>
    private static (string Rule, string Seed) RuleAndSeed(string configPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(configPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = doc.RootElement;
            string rule = root.TryGetProperty("rule", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "?";
            string seed = root.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetRawText() : "?";
            return (rule, seed);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return ("?", "?");
        }
    }
}
