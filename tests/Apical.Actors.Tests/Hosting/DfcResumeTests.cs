using Akka.Configuration;
using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>Checkpoint and resume of DFC and Strong-DFC runs on local actors: a checkpoint written by the entities
/// after epoch 1, resumed on actors and in-process, continues exactly as the uninterrupted in-process run.</summary>
public sealed class DfcResumeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Hocon = ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = off
        akka.loglevel = WARNING
        """);

    public DfcResumeTests() : base(Hocon) { }

    [Theory]
    [InlineData(RuleKind.Dfc)]
    [InlineData(RuleKind.StrongDfc)]
    public void An_actor_checkpoint_resumes_on_either_engine_bit_identically(RuleKind rule) =>
        DfcResumeComparison.AssertResumes(Sys, new LocalLayerHost(Sys), rule, $"local-resume-{rule}");

    [Fact]
    public void A_run_with_lossy_jittery_links_resumes_bit_identically() =>
        DfcResumeComparison.AssertResumes(Sys, new LocalLayerHost(Sys), RuleKind.Dfc, "local-resume-links", jitter: 2, loss: 0.2);
}
