using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Actors.Protocol;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Apical.Actors.Tests.Hosting;

/// <summary>Continuous-time (lockstep and free-running) runs of the toy leaky rule on plain local actors.</summary>
public sealed class ContinuousRunTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly int[] Widths = { 3, 4, 5, 2 };
    private readonly ITestOutputHelper _output;

    public ContinuousRunTests(ITestOutputHelper output) : base(ApicalConfig.With("""
        akka.actor.serialize-messages = off
        akka.loglevel = WARNING
        """)) => _output = output;

    [Theory]
    [InlineData(1, 4)]
    [InlineData(3, 2)]
    public void Lockstep_run_is_bit_identical_to_in_process(int delay, int window)
    {
        var report = ContinuousComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), ToyLeakyGraph.Config(Widths, 2, delay), 70,
            new ContinuousRunOptions { Graph = ToyLeakyGraph.Name, Window = window });
        Assert.Empty(report.Links); // no link model: nothing sampled and held
    }

    [Fact]
    public void Lossy_jittery_run_is_bit_identical_and_reports_drops_per_link()
    {
        var report = ContinuousComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), ToyLeakyGraph.Config(Widths, 2, 2, jitter: 1, loss: 0.1), 200,
            new ContinuousRunOptions { Graph = ToyLeakyGraph.Name });
        _output.WriteLine(report.ToString());
        Assert.Equal(4, report.Links.Count);
        foreach (var (link, s) in report.Links)
        {
            Assert.InRange(s.Dropped, 5, 45); // ~10 % of ~200 messages
            Assert.True(s.MeanStaleness > 0, $"{link}: no staleness recorded");
        }
        Assert.Contains("dropped", report.ToString());
    }

    [Fact]
    public void Free_running_run_completes_and_reports_staleness()
    {
        ToyLeakyGraph.Register();
        const int steps = 400;
        using var run = new ContinuousRun(Sys, new LocalLayerHost(Sys), ToyLeakyGraph.Config(Widths, 2, 2), ContinuousComparison.Shape,
            new ContinuousRunOptions { Graph = ToyLeakyGraph.Name, FreeRunning = true, FreeBatch = 4, Rates = new Dictionary<int, double> { [4] = 0.5 } });
        Assert.False(run.Reproducible);
        run.Run(steps);
        var report = run.Report();
        _output.WriteLine(report.ToString());
        Assert.False(report.Reproducible);
        Assert.Contains("not bit-reproducible", report.ToString());
        Assert.Equal(4, report.Links.Count); // every link is sampled and held when running free
        foreach (var (link, s) in report.Links)
        {
            Assert.Equal(link.To == 4 ? steps / 2 : steps, s.Firings);
            // staleness depends on how the clocks happened to run (negative: the sender's clock was ahead); it is recorded
            Assert.True(double.IsFinite(s.MeanStaleness), $"{link}: no staleness recorded");
            Assert.InRange(Math.Abs(s.MeanStaleness), 0, 2 * steps);
        }
        var readout = run.Parameters()[4];
        Assert.Equal(steps / 2, readout[3].Tensor[0, 0]); // the readout ran at half the rate
    }

    [Fact]
    public void A_lockstep_run_can_continue()
    {
        ToyLeakyGraph.Register();
        var config = ToyLeakyGraph.Config(Widths, 2, 2);
        using var expected = new Apical.Core.Engine.InProcessLockstepEngine(ToyLeakyGraph.Build(config), "o", 2, config.Seed);
        expected.Run(50);
        using var run = new ContinuousRun(Sys, new LocalLayerHost(Sys), config, ContinuousComparison.Shape, new ContinuousRunOptions { Graph = ToyLeakyGraph.Name });
        run.Run(20);
        run.Run(50);
        Assert.Equal(expected.Parameters()[4][1].Tensor.ReadOnlySpan.ToArray(), run.Parameters()[4][1].Tensor.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Commands_between_runs_act_as_in_process_and_a_refusal_names_the_verb()
    {
        ToyLeakyGraph.Register();
        var config = ToyLeakyGraph.Config(Widths, 2, 1);
        using var expected = new Apical.Core.Engine.InProcessLockstepEngine(ToyLeakyGraph.Build(config), "o", 2, config.Seed);
        using var run = new ContinuousRun(Sys, new LocalLayerHost(Sys), config, ContinuousComparison.Shape, new ContinuousRunOptions { Graph = ToyLeakyGraph.Name });
        expected.Run(25);
        run.Run(25);
        var a = expected.Command(2, new NodeCommand("scale", 0.5));
        var b = run.Command(2, new NodeCommand("scale", 0.5));
        Assert.Equal(a.Numbers, b.Numbers);
        Assert.NotEqual(0.0, a.Numbers[0]);
        expected.Run(60);
        run.Run(60);
        var w0 = ToyLeakyGraph.Build(config).Nodes[2] is IParameterized p0 ? p0.Parameters[0].Tensor[0, 0] : float.NaN;
        Assert.Equal(0.5f * w0, run.Parameters()[2][0].Tensor[0, 0]); // the command reached the hosted node
        Assert.Equal(expected.Parameters()[4][1].Tensor.ReadOnlySpan.ToArray(), run.Parameters()[4][1].Tensor.ReadOnlySpan.ToArray());

        var refused = Assert.Throws<ArgumentException>(() => run.Command(2, new NodeCommand("explode")));
        Assert.Contains("explode", refused.Message);
        var noTarget = Assert.Throws<ArgumentException>(() => run.Command(4, new NodeCommand("scale", 2)));
        Assert.Contains("takes no commands", noTarget.Message);
        run.Run(70); // a refused command leaves the run going
        Assert.Equal(70 + 4, run.Parameters()[4][3].Tensor[0, 0]); // the readout is 4 links of delay 1 behind the source
    }

    [Fact]
    public void Stray_and_malformed_windows_are_dropped_without_harm()
    {
        ToyLeakyGraph.Register();
        using var run = new ContinuousRun(Sys, new LocalLayerHost(Sys), ToyLeakyGraph.Config(Widths, 2, 1), ContinuousComparison.Shape,
            new ContinuousRunOptions { Graph = ToyLeakyGraph.Name, RunId = "stray" });
        var layer = run.Nodes[2];
        var wrongRun = Message.Create("other", 1, MessageKind.Rates, Phase.Train, 0, long.MaxValue, new Tensor(2, 4));
        var wrongKind = Message.Create("stray", 1, MessageKind.Feedback, Phase.Train, 0, long.MaxValue, new Tensor(2, 4));
        EventFilter.Warning(contains: "dropping").ExpectOne(() => layer.Tell(new MessageWindow(new[] { wrongRun })));
        EventFilter.Warning(contains: "no link brings").ExpectOne(() => layer.Tell(new MessageWindow(new[] { wrongKind })));
        EventFilter.Warning(contains: "empty window").ExpectOne(() => layer.Tell(new MessageWindow(Array.Empty<Message>())));
        run.Run(30); // the node still works
        Assert.Equal(30 + 4, run.Parameters()[4][3].Tensor[0, 0]);
    }
}
