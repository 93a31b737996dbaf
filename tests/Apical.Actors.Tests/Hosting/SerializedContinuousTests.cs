using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>The toy continuous-time rule in lockstep with every message serialized and deserialized on send.</summary>
public sealed class SerializedContinuousTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializedContinuousTests() : base(ApicalConfig.With("""
        akka.actor.serialize-messages = on
        akka.loglevel = WARNING
        """)) { }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(3, 0.1)]
    public void Serialized_lockstep_run_is_bit_identical_to_in_process(int delay, double loss)
    {
        Assert.True(Sys.Settings.SerializeAllMessages);
        ContinuousComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), ToyLeakyGraph.Config(new[] { 3, 4, 2 }, 2, delay, loss: loss), 60,
            new ContinuousRunOptions { Graph = ToyLeakyGraph.Name });
    }
}
