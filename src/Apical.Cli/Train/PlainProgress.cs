using Apical.Core.Engine;
using Apical.Core.Metrics;

namespace Apical.Cli;

/// <summary>Progress for redirected or non-interactive output: one line per epoch or event, no batch updates,
/// so CI logs stay readable.</summary>
internal sealed class PlainProgress(TextWriter output) : IProgressDisplay
{
    private readonly object _gate = new();

    public void Info(string message) => Line(message);

    public void OnEvent(string message) => Line(message);

    public void OnBatch(in BatchProgress progress)
    {
    }

    public void OnEpoch(EpochMetrics metrics) => Line(RunRecorder.Describe(metrics));

    public RunResult Run(Func<RunResult> train) => train();

    private void Line(string text)
    {
        lock (_gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
