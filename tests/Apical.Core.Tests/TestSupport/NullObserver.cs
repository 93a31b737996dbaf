using Apical.Core.Metrics;

namespace Apical.Core.Tests.TestSupport;

internal sealed class NullObserver : IRunObserver
{
    public List<EpochMetrics> Epochs { get; } = new();
    public List<string> Events { get; } = new();
    public void OnEvent(string message) => Events.Add(message);
    public void OnBatch(in BatchProgress progress) { }
    public void OnEpoch(EpochMetrics metrics) => Epochs.Add(metrics);
}
