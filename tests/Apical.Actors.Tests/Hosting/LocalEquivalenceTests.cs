using Akka.Configuration;
using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>The actor runtime (plain local actors, messages passed by reference) against the in-process engine.</summary>
public sealed class LocalEquivalenceTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Hocon = ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = off
        akka.loglevel = WARNING
        """);

    public LocalEquivalenceTests() : base(Hocon) { }

    [Theory]
    [InlineData(RuleKind.Bp, 0)]
    [InlineData(RuleKind.Bp, 2)]
    [InlineData(RuleKind.Fa, 0)]
    [InlineData(RuleKind.Dfa, 1)]
    public void Actor_run_is_bit_identical_to_in_process(RuleKind rule, int depth)
    {
        EngineComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), EngineComparison.TinyConfig(rule, depth), EngineComparison.TinySplits());
    }

    [Fact]
    public void A_window_of_one_minibatch_gives_the_same_result()
    {
        EngineComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), EngineComparison.TinyConfig(RuleKind.Bp, 2),
            EngineComparison.TinySplits(), new ActorRunOptions { Window = 1 });
    }

    [Fact]
    public async Task Concurrent_runs_on_one_system_do_not_interfere()
    {
        var host = new LocalLayerHost(Sys);
        var a = Task.Run(() => EngineComparison.AssertSameAsInProcess(Sys, host, EngineComparison.TinyConfig(RuleKind.Bp, 1),
            EngineComparison.TinySplits(), new ActorRunOptions { RunId = "sweep-a" }));
        var b = Task.Run(() => EngineComparison.AssertSameAsInProcess(Sys, host, EngineComparison.TinyConfig(RuleKind.Dfa, 2),
            EngineComparison.TinySplits(), new ActorRunOptions { RunId = "sweep-b" }));
        await Task.WhenAll(a, b);
    }
}
