using Akka.Configuration;
using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>DFC and Strong-DFC on local actors against the in-process lockstep engine (check 15), also with delayed,
/// jittery and lossy links; the sweep schedule refused on actors.</summary>
public sealed class DfcEquivalenceTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Hocon = ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = off
        akka.loglevel = WARNING
        """);

    public DfcEquivalenceTests() : base(Hocon) { }

    [Theory]
    [InlineData(RuleKind.Dfc)]
    [InlineData(RuleKind.StrongDfc)]
    public void Actor_run_is_bit_identical_to_in_process(RuleKind rule)
    {
        DfcComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), rule);
    }

    [Fact]
    public void Strong_two_phase_actor_run_is_bit_identical_to_in_process()
    {
        DfcComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), RuleKind.Dfc, strongFeedback: true);
    }

    [Theory]
    [InlineData(RuleKind.Dfc, 2)]
    [InlineData(RuleKind.StrongDfc, 3)]
    public void With_a_link_delay_the_actor_run_is_bit_identical_to_in_process(RuleKind rule, int delay)
    {
        DfcComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), rule, delay: delay);
    }

    [Theory]
    [InlineData(RuleKind.Dfc, 1, 2, 0.2)]
    [InlineData(RuleKind.StrongDfc, 2, 1, 0.1)]
    public void With_jittery_lossy_links_the_actor_run_is_bit_identical_to_in_process(RuleKind rule, int delay, int jitter, double loss)
    {
        DfcComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), rule, delay: delay, jitter: jitter, loss: loss);
    }

    [Theory]
    [InlineData(TransmissionSchedule.Sweep, TransmissionSchedule.Jacobi, "dfc.forward.schedule")]
    [InlineData(TransmissionSchedule.Jacobi, TransmissionSchedule.Sweep, "dfc.feedback.schedule")]
    public void The_sweep_schedule_is_refused_naming_its_field(TransmissionSchedule forward, TransmissionSchedule feedback, string field)
    {
        var c = DfcComparison.Config(RuleKind.Dfc);
        var dfc = c.Dfc!;
        var config = new RunConfig
        {
            Name = c.Name, Seed = c.Seed, Epochs = c.Epochs, Rule = c.Rule, Data = c.Data, Network = c.Network, Loss = c.Loss,
            BatchSize = c.BatchSize, Optimizer = c.Optimizer, Engine = c.Engine, Evaluation = c.Evaluation,
            Dfc = new DfcSpec
            {
                Forward = With(dfc.Forward, forward), Feedback = With(dfc.Feedback, feedback), TargetStepsize = dfc.TargetStepsize,
                InitFbEpochs = dfc.InitFbEpochs, FeedbackOptimizer = dfc.FeedbackOptimizer, PretrainOptimizer = dfc.PretrainOptimizer,
            },
        };
        var e = Assert.Throws<ConfigException>(() => DfcActorTrainer.CreateSession(Sys, new LocalLayerHost(Sys), config, DfcComparison.Splits()));
        Assert.Equal(field, e.Field);
        Assert.Contains("jacobi", e.Reason);
    }

    private static DfcSimulationSpec With(DfcSimulationSpec s, TransmissionSchedule schedule) => new()
    {
        Dt = s.Dt, Steps = s.Steps, TauV = s.TauV, TauFb = s.TauFb, Alpha = s.Alpha, Kp = s.Kp, Noise = s.Noise, Sigma = s.Sigma,
        SigmaOut = s.SigmaOut, Schedule = schedule,
    };
}
