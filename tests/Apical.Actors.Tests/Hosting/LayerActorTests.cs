using Akka.Actor;
using Akka.TestKit;
using Apical.Actors.Hosting;
using Apical.Actors.Protocol;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>One layer actor driven by hand: handshake, direct sends, watch and fallback to the region.</summary>
public sealed class LayerActorTests : Akka.TestKit.Xunit2.TestKit
{
    public LayerActorTests() : base(ApicalConfig.With("akka.loglevel = WARNING")) { }

    private static RunBlueprint Blueprint()
    {
        var config = EngineComparison.TinyConfig(RuleKind.Bp, 0, epochs: 1); // data 0 → 1 (6→8) → 2 (8→5) → 3 (5→3) → loss 4
        return RunBlueprintCodec.Create(config, 6, 3, true);
    }

    private (IActorRef Layer, TestProbe Coordinator) StartFirstLayer(string run, IActorRef[] nodes, IActorRef? region)
    {
        var coordinator = CreateTestProbe();
        var layer = Sys.ActorOf(LayerActor.Props());
        layer.Tell(new StartLayer(run, 1, Blueprint(), coordinator.Ref), coordinator.Ref);
        var started = coordinator.ExpectMsg<LayerStarted>();
        Assert.Equal(layer, started.Layer);
        nodes[1] = layer;
        layer.Tell(new ConnectLayer(run, nodes, region, "spread"), coordinator.Ref);
        coordinator.ExpectMsg<LayerConnected>(c => c.NodeId == 1);
        return (layer, coordinator);
    }

    private static Message Input(string run, long step)
    {
        var t = new Tensor(4, 6);
        t.Span.Fill(0.5f);
        return Message.Create(run, 0, MessageKind.Input, Phase.Train, step, 10, t);
    }

    [Fact]
    public void Forward_output_goes_directly_to_the_neighbour()
    {
        var next = CreateTestProbe();
        var nodes = new[] { TestActor, null!, next.Ref, TestActor, TestActor };
        var (layer, _) = StartFirstLayer("direct", nodes, null);
        layer.Tell(Input("direct", 0));
        var rates = next.ExpectMsg<Message>();
        Assert.Equal((MessageKind.Rates, 1, 0L, 4, 8), (rates.Kind, rates.Sender, rates.Step, rates.Payload.Rows, rates.Payload.Cols));
        Assert.Equal(10, rates.SegmentEnd);
        rates.Release();
    }

    [Fact]
    public void After_the_neighbour_terminates_tensors_go_through_the_region()
    {
        var region = CreateTestProbe();
        var next = Sys.ActorOf(Props.Create(() => new BlackHole()));
        var nodes = new[] { TestActor, null!, next, TestActor, TestActor };
        var (layer, _) = StartFirstLayer("fallback", nodes, region.Ref);
        Watch(next);
        Sys.Stop(next);
        ExpectTerminated(next);
        AwaitAssert(() =>
        {
            // keep the layer busy until it has seen the Terminated as well: ask it for something it answers
            layer.Tell(new AwaitStep("fallback", Phase.Validation, -1), TestActor);
            ExpectMsg<StepReached>();
        });
        layer.Tell(Input("fallback", 0));
        var envelope = region.ExpectMsg<TensorEnvelope>(TimeSpan.FromSeconds(5));
        Assert.Equal((2, 5, "spread"), (envelope.NodeId, envelope.NodeCount, envelope.Placement));
        Assert.Equal(MessageKind.Rates, envelope.Message.Kind);
        Assert.Equal("fallback", envelope.Message.RunId);
    }

    [Fact]
    public void A_stop_for_an_unstarted_entity_stops_it()
    {
        var layer = Sys.ActorOf(LayerActor.Props());
        Watch(layer);
        layer.Tell(new StopLayer("any"));
        ExpectTerminated(layer);
    }

    private sealed class BlackHole : ReceiveActor
    {
        public BlackHole() => ReceiveAny(m => (m as Message)?.Release());
    }
}
