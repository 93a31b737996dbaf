using Apical.Actors.Hosting;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Data;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Gle;
using Apical.Tests.Shared;
using Xunit;

namespace Apical.Actors.Tests.Gle;

/// <summary>GLE on plain local actors: the spec's tick semantics, and MNIST-1D and LagLine runs bit-identical to the
/// in-process engine (<see cref="GleOnActors"/>).</summary>
public sealed class GleOnActorsTests : Akka.TestKit.Xunit2.TestKit
{
    public GleOnActorsTests() : base(ApicalConfig.With("""
        akka.actor.serialize-messages = off
        akka.loglevel = WARNING
        """)) { }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Output_at_step_k_is_the_static_network_of_the_input_L_delays_earlier(int delay)
    {
        const int B = 3, Steps = 40, L = 3;
        var config = GleTickNet.Config(delay, B);
        using var run = new ContinuousRun(Sys, new LocalLayerHost(Sys), config, new GraphShape(4, 2, false));
        var source = Assert.IsType<GleStreamSource>(run.Topology.Nodes[0]);
        int readout = run.Topology.Nodes.Count - 1;
        var rng = CounterRng.For(21, 0, 0, RngPurpose.Noise);
        var x = new Tensor(B, Steps * 4);
        rng.FillNormal(x.Span, 0f, 1f);
        source.SetBatch(0, Phase.Train, x, new Tensor(B, 2));

        var parameters = run.Parameters();
        var layers = new (Tensor W, Tensor B, GlePhi Phi)[L];
        for (int l = 0; l < L; l++)
            layers[l] = (parameters[1 + l].Single(t => t.Name == "W").Tensor, parameters[1 + l].Single(t => t.Name == "b").Tensor,
                         ((GleLayer)run.Topology.Nodes[1 + l]).Options.Phi);
        double[] Static(int step, int row) => GleTickNet.Static(layers, x.Row(row).Slice(step * 4, 4));

        int checkedSteps = 0;
        for (int s = 0; s < Steps; s++)
        {
            run.Run(s + 1);
            var reply = run.Command(readout, GleCommands.GetLastOutput);
            long last = (long)reply.Numbers[0];
            // Source steps 0 … s are out: the readout's last step is s + d (its target comes from the source over a
            // link of delay d). There it sees the output stamped last − d, which is F of the input layer 1 consumed
            // at step last − L·d (the spec's F(x_{k−L·d})), i.e. the source's step last − L·d − 1.
            Assert.Equal(s + delay, last);
            int input = (int)(last - L * delay - 1);
            if (input < 0) continue;
            var seen = reply.Tensors[0].ToTensor();
            for (int r = 0; r < B; r++)
            {
                var expected = Static(input, r);
                for (int j = 0; j < 2; j++) Assert.True(Math.Abs(seen[r, j] - expected[j]) < 1e-5, $"step {s}, row {r}: {seen[r, j]} vs {expected[j]}");
                if (input == 0) continue;
                var previous = Static(input - 1, r);
                Assert.True(Math.Max(Math.Abs(seen[r, 0] - previous[0]), Math.Abs(seen[r, 1] - previous[1])) > 1e-3,
                    $"step {s}, row {r} also matches the input one step earlier");
            }
            checkedSteps++;
        }
        Assert.Equal(Steps - (L - 1) * delay - 1, checkedSteps);
    }

    [Fact]
    public void Mnist1d_run_with_tiled_tests_and_a_plateau_is_bit_identical_to_in_process()
    {
        var config = GleComparison.SmallMnist1d(epochs: 3);
        var (epochs, links) = GleComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), config, GleComparison.Mnist1d.Value);
        Assert.Empty(links); // no link model
        Assert.Equal(4, epochs.Count); // epoch 0 (test at start) and 3 epochs
        Assert.Equal(3e-3, epochs[1].Extra.Single(kv => kv.Key == "lr").Value);
        Assert.Equal(1.5e-3, epochs[2].Extra.Single(kv => kv.Key == "lr").Value); // the plateau halved it after epoch 2
        Assert.Equal(7.5e-4, epochs[3].Extra.Single(kv => kv.Key == "lr").Value);
        Assert.All(epochs, e => Assert.InRange(e.TestAccuracy, 0, 1));
        Assert.NotEqual(epochs[1].TestLoss, epochs[3].TestLoss);
    }

    [Fact]
    public void Lagline_run_with_delay_2_jitter_and_loss_is_bit_identical_to_in_process()
    {
        var config = GleComparison.ShortLagLine(steps: 1500, delay: 2, jitter: 2, loss: 0.05);
        var data = DatasetLoader.Load(config.Data, null);
        var (epochs, links) = GleComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), config, data);
        Assert.Equal(3, epochs.Count);
        // the student's Rates, Feedback and Output links and the teacher's Rates link jitter (mean extra delay 1) and lose messages
        Assert.Equal(4, links.Count);
        Assert.All(links, l => Assert.Equal((2, 2, 0.05), (l.Link.Delay, l.Link.Jitter, l.Link.Loss)));
        Assert.All(links, l => Assert.InRange(l.Statistics.Dropped, 30, 120)); // ~5 % of ~1 500 messages
        Assert.All(links, l => Assert.True(l.Statistics.MeanStaleness > 0.5, $"{l.Link}: mean staleness {l.Statistics.MeanStaleness}"));
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.TrainLoss) && e.TrainLoss > 0, $"epoch {e.Epoch}: loss {e.TrainLoss}"));
        // the weights learned (from step 300 on)
        Assert.NotEqual(0.4900934, epochs[^1].Extra.Single(kv => kv.Key == "layer1.w0").Value, 7);
    }
}
