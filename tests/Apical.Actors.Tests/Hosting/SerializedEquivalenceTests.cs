using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>The equality tests with every message serialized and deserialized on send (copies, unpooled on arrival).</summary>
public sealed class SerializedEquivalenceTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializedEquivalenceTests() : base(ApicalConfig.With("""
        akka.actor.serialize-messages = on
        akka.loglevel = WARNING
        """)) { }

    [Theory]
    [InlineData(RuleKind.Bp, 0)]
    [InlineData(RuleKind.Bp, 2)]
    [InlineData(RuleKind.Fa, 1)]
    [InlineData(RuleKind.Dfa, 0)]
    public void Serialized_actor_run_is_bit_identical_to_in_process(RuleKind rule, int depth)
    {
        Assert.True(Sys.Settings.SerializeAllMessages);
        EngineComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), EngineComparison.TinyConfig(rule, depth), EngineComparison.TinySplits());
    }
}
