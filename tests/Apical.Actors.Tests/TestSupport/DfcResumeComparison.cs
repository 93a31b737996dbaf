using System.Runtime.InteropServices;
using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Model;
using Apical.Core.Rules.Dfc;
using Apical.Tests.Shared;
using Xunit;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>A DFC or Strong-DFC run stopped after epoch 1 on the actor runtime and resumed from its checkpoint, on the
/// actors and in-process, against the uninterrupted in-process run: weights and metrics must be the same bits.</summary>
internal static class DfcResumeComparison
{
    public static RunConfig Config(RuleKind rule, int epochs, int jitter = 0, double loss = 0)
    {
        var c = DfcComparison.Config(rule, jitter: jitter, loss: loss);
        return new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = epochs, Rule = c.Rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = c.BatchSize, Optimizer = c.Optimizer, Engine = c.Engine, Evaluation = c.Evaluation, Dfc = c.Dfc,
            Checkpoint = new CheckpointSpec { EveryEpochs = 1, Keep = 0 },
        };
    }

    /// <param name="options">run ids and time-outs of the two actor runs (each gets its own run id from the prefix).</param>
    public static void AssertResumes(ActorSystem system, ILayerHost host, RuleKind rule, string runIdPrefix, TimeSpan? timeout = null,
        int jitter = 0, double loss = 0)
    {
        RunConfig Config(RuleKind r, int epochs) => DfcResumeComparison.Config(r, epochs, jitter, loss);
        var root = Path.Combine(Path.GetTempPath(), "apical-dfc-resume-" + Guid.NewGuid().ToString("N"));
        ActorRunOptions Options(string run) => new() { RunId = $"{runIdPrefix}-{run}", Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        try
        {
            var data = DfcComparison.Splits();
            var straightObserver = new StoringObserver(Path.Combine(root, "straight"));
            using var straight = new DfcSession(Config(rule, 3), data);
            Assert.True(straight.Run(straightObserver, default).Completed);

            using (var stopped = DfcActorTrainer.CreateSession(system, host, Config(rule, 1), data, Options("first")))
                Assert.True(stopped.Run(new StoringObserver(Path.Combine(root, "actors")), default).Completed);
            string checkpoint = Path.Combine(root, "actors", "epoch-000001");

            var onActors = new StoringObserver(Path.Combine(root, "resumed-actors"));
            using var actors = DfcActorTrainer.CreateSession(system, host, Config(rule, 3), data, Options("resumed"));
            actors.Restore(checkpoint);
            Assert.True(actors.Run(onActors, default).Completed);
            var got = DfcNetwork.FromConfig(Config(rule, 3), 6);
            actors.Engine.CopyParametersTo(got);
            AssertSame(straight.Network, got, straightObserver, onActors);

            var inProcessObserver = new StoringObserver(Path.Combine(root, "resumed-inproc"));
            using var inProcess = new DfcSession(Config(rule, 3), data);
            inProcess.Restore(checkpoint);
            Assert.True(inProcess.Run(inProcessObserver, default).Completed);
            AssertSame(straight.Network, inProcess.Network, straightObserver, inProcessObserver);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static void AssertSame(DfcNetwork want, DfcNetwork got, StoringObserver expected, StoringObserver actual)
    {
        for (int l = 0; l < want.Layers.Count; l++)
        {
            var (a, b) = (want.Layers[l], got.Layers[l]);
            Assert.True(Bits(a.Weights).SequenceEqual(Bits(b.Weights)), $"{a.Name}.W differs");
            Assert.True(Bits(a.Bias).SequenceEqual(Bits(b.Bias)), $"{a.Name}.b differs");
            Assert.True(Bits(a.FeedbackWeights).SequenceEqual(Bits(b.FeedbackWeights)), $"{a.Name}.Q differs");
        }
        var tail = expected.Epochs.Where(e => e.Epoch > 1).ToList();
        Assert.Equal(new[] { 2, 3 }, actual.Epochs.Select(e => e.Epoch));
        for (int e = 0; e < tail.Count; e++) EngineComparison.AssertSameMetrics(tail[e], actual.Epochs[e]);
    }

    private static int[] Bits(Core.Numerics.Tensor t) => MemoryMarshal.Cast<float, int>(t.ReadOnlySpan).ToArray();
}
