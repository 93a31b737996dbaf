using Apical.Tests.Shared;
using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Checkpoints;
using Apical.Core.Engine;
using Apical.Core.Metrics;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>Checkpoint barriers on the actor runtime: each entity serialises its own state, the coordinator writes
/// the run's checkpoint; a checkpoint restores on either engine and the run continues bit for bit.</summary>
public sealed class CheckpointTests : Akka.TestKit.Xunit2.TestKit
{
    public CheckpointTests() : base(ApicalConfig.With("akka.loglevel = ERROR")) { }

    private sealed class Storage(string root) : IRunObserver, IRunStorage
    {
        public string CheckpointRoot { get; } = root;
        public void OnEvent(string message) { }
        public void OnBatch(in BatchProgress progress) { }
        public void OnEpoch(EpochMetrics metrics) { }
    }

    private static float[][] Weights(IEnumerable<IReadOnlyList<NamedTensor>> nodes)
    {
        var list = new List<float[]>();
        foreach (var node in nodes) foreach (var p in node) list.Add(p.Tensor.ReadOnlySpan.ToArray());
        return list.ToArray();
    }

    private static float[][] Weights(TrainingSession s) => Weights(s.Network.Layers.Select(l => l.Parameters));

    [Theory]
    [InlineData(RuleKind.Bp, 1)]
    [InlineData(RuleKind.Fa, 0)]
    public void AnActorCheckpointResumesOnBothEnginesBitForBit(RuleKind rule, int depth)
    {
        var root = Path.Combine(Path.GetTempPath(), "apical-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var splits = EngineComparison.TinySplits();
            using var straight = new TrainingSession(EngineComparison.TinyConfig(rule, depth, epochs: 4), splits);
            straight.Run(new RecordingObserver(), default);

            using (var first = ActorTrainer.CreateSession(Sys, new LocalLayerHost(Sys), EngineComparison.TinyConfig(rule, depth, epochs: 2), splits,
                       new ActorRunOptions { RunId = "first" }))
                first.Run(new Storage(root), default);
            var checkpoint = RunCheckpoint.Latest(root)!;
            Assert.EndsWith("epoch-000002", checkpoint);

            using var inProcess = new TrainingSession(EngineComparison.TinyConfig(rule, depth, epochs: 4), splits);
            inProcess.Restore(checkpoint);
            inProcess.Run(new RecordingObserver(), default);
            Assert.Equal(Weights(straight), Weights(inProcess));

            using var onActors = ActorTrainer.CreateSession(Sys, new LocalLayerHost(Sys), EngineComparison.TinyConfig(rule, depth, epochs: 4), splits,
                new ActorRunOptions { RunId = "resumed" });
            onActors.Restore(checkpoint);
            onActors.Run(new RecordingObserver(), default);
            var coordinator = Assert.IsType<RunCoordinator>(onActors.RunEngine);
            var parameters = coordinator.GetParameters();
            Assert.Equal(Weights(straight), Weights(straight.Network.Layers.Select(l => parameters[l.Id])));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AnEntityRefusesACheckpointOfAnotherNetwork()
    {
        var root = Path.Combine(Path.GetTempPath(), "apical-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var splits = EngineComparison.TinySplits();
            using (var s = new TrainingSession(EngineComparison.TinyConfig(RuleKind.Bp, 0, epochs: 1), splits))
                s.Run(new Storage(root), default);
            var other = TinyNetworks.Config(RuleKind.Bp, new[] { 6, 9, 5, 3 }, TinyNetworks.Sgd(0.1), batchSize: 16, epochs: 2);
            using var session = ActorTrainer.CreateSession(Sys, new LocalLayerHost(Sys), other, splits, new ActorRunOptions { RunId = "other" });
            var e = Assert.Throws<CheckpointException>(() => session.Restore(RunCheckpoint.Latest(root)!));
            Assert.Contains("expected 9x6", e.Message);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
