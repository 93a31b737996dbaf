using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>Check 15 with every message (tensors and commands) serialized and deserialized on send.</summary>
public sealed class SerializedDfcEquivalenceTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializedDfcEquivalenceTests() : base(ApicalConfig.With("""
        akka.actor.serialize-messages = on
        akka.loglevel = WARNING
        """)) { }

    [Theory]
    [InlineData(RuleKind.Dfc)]
    [InlineData(RuleKind.StrongDfc)]
    public void Serialized_actor_run_is_bit_identical_to_in_process(RuleKind rule)
    {
        Assert.True(Sys.Settings.SerializeAllMessages);
        DfcComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), rule);
    }
}
