using Apical.Tests.Shared;
using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Actors.Protocol;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Data;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

public sealed class FailureTests : Akka.TestKit.Xunit2.TestKit
{
    public FailureTests() : base(ApicalConfig.With("akka.loglevel = ERROR")) { }

    [Fact]
    public void A_diverging_node_fails_the_run_with_its_name_and_step()
    {
        var train = TinyNetworks.Classification(32, 6, 3, seed: 5);
        train.Inputs.Data[7] = float.NaN; // poisons the loss of the first minibatch
        var config = EngineComparison.TinyConfig(RuleKind.Bp, 0, epochs: 1);
        var e = Assert.Throws<RunFailedException>(() => ActorTrainer.Run(Sys, new LocalLayerHost(Sys), config,
            new DataSplits(train, null, train), new RecordingObserver(), default, new ActorRunOptions { Timeout = TimeSpan.FromSeconds(20) }));
        Assert.Contains("loss", e.Message);
        Assert.Equal(4, e.NodeId); // data 0, layers 1..3, loss 4
    }

    [Fact]
    public void Stray_and_malformed_messages_are_dropped_and_the_layer_keeps_working()
    {
        var splits = EngineComparison.TinySplits();
        var config = EngineComparison.TinyConfig(RuleKind.Bp, 0, epochs: 1);
        var host = new LocalLayerHost(Sys);
        using var session = ActorTrainer.CreateSession(Sys, host, config, splits, new ActorRunOptions { RunId = "stray" });
        var coordinator = (RunCoordinator)session.RunEngine;
        var layer = coordinator.Nodes[2];
        // wrong run, unknown sender, wrong width: each is logged and dropped
        layer.Tell(Message.Create("other-run", 1, MessageKind.Rates, Phase.Train, 0, 0, new Tensor(2, 8)));
        layer.Tell(Message.Create("stray", 3, MessageKind.Input, Phase.Train, 0, 0, new Tensor(2, 8)));
        layer.Tell(Message.Create("stray", 1, MessageKind.Rates, Phase.Train, 0, 0, new Tensor(2, 7)));
        layer.Tell("not a message at all");
        // the width mismatch is a protocol violation: the run reports it instead of computing garbage
        var error = Assert.Throws<RunFailedException>(() => session.Run(new RecordingObserver(), default));
        Assert.Contains("expects Rates of width", error.Message);
        Assert.Equal(2, error.NodeId);
    }

    [Fact]
    public void Messages_for_another_run_do_not_disturb_a_run()
    {
        var splits = EngineComparison.TinySplits();
        var config = EngineComparison.TinyConfig(RuleKind.Fa, 1, epochs: 1);
        var host = new LocalLayerHost(Sys);
        using var session = ActorTrainer.CreateSession(Sys, host, config, splits, new ActorRunOptions { RunId = "clean" });
        var coordinator = (RunCoordinator)session.RunEngine;
        coordinator.Nodes[2].Tell(Message.Create("other-run", 1, MessageKind.Rates, Phase.Train, 0, 0, new Tensor(2, 8)));
        coordinator.Nodes[3].Tell(new AwaitStep("other-run", Phase.Train, 0));
        var result = session.Run(new RecordingObserver(), default);
        Assert.True(result.Completed);
        Assert.False(double.IsNaN(result.Last!.TestLoss));
    }

    [Fact]
    public void A_lost_entity_fails_the_run_instead_of_hanging()
    {
        var config = EngineComparison.TinyConfig(RuleKind.Bp, 0, epochs: 1);
        using var session = ActorTrainer.CreateSession(Sys, new LocalLayerHost(Sys), config, EngineComparison.TinySplits(),
            new ActorRunOptions { RunId = "lost", Timeout = TimeSpan.FromSeconds(30) });
        var coordinator = (RunCoordinator)session.RunEngine;
        Watch(coordinator.Nodes[3]);
        Sys.Stop(coordinator.Nodes[3]);
        ExpectTerminated(coordinator.Nodes[3]);
        var started = DateTime.UtcNow;
        var e = Assert.Throws<RunFailedException>(() => session.Run(new RecordingObserver(), default));
        Assert.Equal(3, e.NodeId);
        Assert.Contains("terminated", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the run waited for its timeout");
    }
}
