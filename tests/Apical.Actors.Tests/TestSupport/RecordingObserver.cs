using Apical.Core.Metrics;

namespace Apical.Actors.Tests.TestSupport;

internal sealed class RecordingObserver : IRunObserver
{
    public List<EpochMetrics> Epochs { get; } = new();
    public int Batches { get; private set; }
    public void OnEvent(string message) { }
    public void OnBatch(in BatchProgress progress) => Batches++;
    public void OnEpoch(EpochMetrics metrics) => Epochs.Add(metrics);
}
