using Apical.Core.Engine;
using Apical.Core.Metrics;

namespace Apical.Cli;

/// <summary>Shows a run on the console.</summary>
internal interface IProgressDisplay : IRunObserver
{
    /// <summary>A status line (run directory, download progress...).</summary>
    void Info(string message);

    /// <summary>Runs the training loop while the display is active.</summary>
    RunResult Run(Func<RunResult> train);
}
