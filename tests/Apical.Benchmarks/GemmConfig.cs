using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Apical.Benchmarks;

/// <summary>Short in-process job (the whole GEMM suite runs in a few minutes) plus a GFLOP/s column.</summary>
public sealed class GemmConfig : ManualConfig
{
    public GemmConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(new GflopsColumn());
    }
}

/// <summary>
/// GFLOP/s = 2·Batch·In·Out / mean time, from the benchmark's <c>Batch</c> and <c>Shape</c> ("In x Out") parameters.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·Batch·In·Out floating-point operations divided by the mean time";

    public static double Flops(int batch, string shape)
    {
        string[] parts = shape.Split('x');
        return 2.0 * batch * int.Parse(parts[0]) * int.Parse(parts[1]);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Parameters["Batch"] is not int batch || benchmarkCase.Parameters["Shape"] is not string shape)
            return "-";
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats) return "-";
        return (Flops(batch, shape) / stats.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
