using System.CommandLine;
using Apical.Core.Data;

namespace Apical.Cli;

/// <summary><c>apical data fetch mnist|fashion-mnist</c>: downloads a dataset into the data cache
/// (<c>APICAL_DATA</c> or the default cache directory).</summary>
internal static class DataCommand
{
    public static readonly string[] Datasets = ["mnist", "fashion-mnist"];

    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = $"One of: {string.Join(", ", Datasets)}." };
        dataset.CompletionSources.Add(Datasets);
        dataset.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (!Datasets.Contains(name))
                result.AddError($"unknown dataset '{name}'; expected one of: {string.Join(", ", Datasets)}");
        });

        var fetch = new Command("fetch", "Download a dataset into the local cache (no-op when already there).") { dataset };
        fetch.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var name = parse.GetValue(dataset)!;
                var directory = new DataCache().Ensure(name, line => stdout.WriteLine(line));
                stdout.WriteLine($"{name}: ready in {directory}");
                return ExitCodes.Ok;
            }
            catch (Exception e)
            {
                return ApicalCommand.Report(e, stderr);
            }
        });

        return new Command("data", "Manage datasets.") { fetch };
    }
}
