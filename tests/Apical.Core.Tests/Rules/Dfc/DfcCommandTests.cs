using Apical.Core.Engine;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>The control plane of a DFC mini-batch as node commands (<see cref="DfcCommands"/>), on the in-process
/// engine: whatever order the nodes start in, a batch equals the simulator's lockstep Jacobi batch bit for bit, with
/// and without jittery, lossy links.</summary>
public class DfcCommandTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(2, 0.25)]
    public void Commands_in_any_start_order_give_the_simulators_lockstep_result(int jitter, double loss)
    {
        var sizes = new[] { 12, 9, 7, 4 };
        var links = new LinkModel(jitter, loss);
        var expected = DfcTestNets.Build(sizes, linear: false, lr: 1e-2, links: links);
        var actual = DfcTestNets.Build(sizes, linear: false, lr: 1e-2, links: links);
        using var sim = new DfcSimulator(expected, 8) { JacobiOnEngine = true };
        using var engine = new InProcessEngine(actual.Topology, "cmd", 8);
        int L = actual.Layers.Count, controller = L + 1;
        var wake = DfcTestNets.Constants(steps: 25, alpha: 0.01, target: TargetKind.Nudged, lambda: 0.1, learnForward: true,
            schedule: TransmissionSchedule.Jacobi);
        var sleep = DfcTestNets.Constants(dt: 2e-3, steps: 15, tauV: 0.01, tauFb: 0.3, alpha: 0.25, kp: 0.1, target: TargetKind.Feedforward,
            learnFeedback: true, noise: NoiseKind.White, sigma: 0.01, phase: DfcPhase.Sleep, schedule: TransmissionSchedule.Jacobi);
        var orders = new[]
        {
            new[] { controller },                                         // the layers send state 0 at their first firing
            Enumerable.Range(1, L + 1).ToArray(),                         // layers first, then the controller
            Enumerable.Range(1, L + 1).Reverse().ToArray(),               // controller first, top layer down
        };
        long next = 1;
        for (int batch = 0; batch < 6; batch++)
        {
            var phase = batch % 2 == 0 ? sleep : wake;
            var x = DfcTestNets.Normal(batch == 5 ? 5 : 8, 12, 1f, (ulong)(10 + batch));
            var y = new Tensor(x.Rows, 4);
            for (int b = 0; b < x.Rows; b++) y[b, (b + batch) % 4] = 1;
            sim.Run(phase, x, y, batch);

            Tensor pre = x;
            for (int l = 1; l <= L; l++) pre = engine.Command(l, DfcCommands.SettleLayer(pre)).Tensors[0].ToTensor();
            for (int l = 1; l <= L; l++) engine.Command(l, DfcCommands.BeginLayer(phase, batch, next));
            engine.Command(controller, DfcCommands.BeginController(phase, batch, next, pre, y));
            foreach (int n in orders[batch % orders.Length]) engine.Command(n, DfcCommands.StartNode());
            next += phase.Steps - 1;
            var ends = new NodeReply[L];
            for (int l = 1; l <= L; l++) ends[l - 1] = engine.Command(l, DfcCommands.EndLayer(apply: true));
            var report = engine.Command(controller, DfcCommands.FinishController(ends[^1].Tensors[0].ToTensor())).Numbers;

            Assert.Equal(expected.Controller.Report(), report);
            if (links.Enabled) Assert.True(report[^2] > 0, "the lossy, jittery links used stale values"); // staleness sum
            for (int l = 0; l < L; l++)
            {
                Assert.Equal(expected.Layers[l].ControlEffort, ends[l].Numbers[0]);
                Assert.Equal(expected.Layers[l].Weights.ReadOnlySpan.ToArray(), actual.Layers[l].Weights.ReadOnlySpan.ToArray());
                Assert.Equal(expected.Layers[l].FeedbackWeights.ReadOnlySpan.ToArray(), actual.Layers[l].FeedbackWeights.ReadOnlySpan.ToArray());
            }
        }
        Assert.Equal(0, engine.PendingMessages);
        var fresh = DfcTestNets.Build(sizes, linear: false, lr: 1e-2);
        Assert.NotEqual(fresh.Layers[1].Weights.ReadOnlySpan.ToArray(), actual.Layers[1].Weights.ReadOnlySpan.ToArray());
        Assert.NotEqual(fresh.Layers[0].FeedbackWeights.ReadOnlySpan.ToArray(), actual.Layers[0].FeedbackWeights.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Bad_commands_are_refused_naming_the_problem()
    {
        var net = DfcTestNets.Build(new[] { 6, 5, 3 }, linear: false);
        using var engine = new InProcessEngine(net.Topology, "bad", 8);
        var unknown = Assert.Throws<ArgumentException>(() => engine.Command(1, new NodeCommand("jump")));
        Assert.Contains("unknown command 'jump'", unknown.Message);
        var wide = Assert.Throws<ArgumentException>(() => engine.Command(1, DfcCommands.SettleLayer(new Tensor(2, 7))));
        Assert.Contains("expected 1..8 rows of 6", wide.Message);
        var early = Assert.Throws<ArgumentException>(() => engine.Command(3, DfcCommands.StartNode()));
        Assert.Contains("before any begin", early.Message);
        var sweep = DfcTestNets.Constants(steps: 5);
        var refused = Assert.Throws<ArgumentException>(() => engine.Command(1, DfcCommands.BeginLayer(sweep, 0, 1)));
        Assert.Contains("Jacobi schedule only", refused.Message);
    }

    [Fact]
    public void Phase_constants_survive_their_numbers()
    {
        var c = new PhaseConstants
        {
            Phase = DfcPhase.Single, Steps = 500, Dt = 1e-3, TauV = 9.26829e-3, TauFb = 1e-3, Alpha = 7.60867e-6, Kp = 2,
            Target = TargetKind.Label, SoftmaxError = true, TargetStepsize = 0.0138127, Noise = NoiseKind.LowPass, Sigma = 4.27896e-3,
            SigmaOut = 2.97139e-2, TauNoise = 0.07, LearnForward = true, LearnFeedback = true, HighPassControl = true, HighPassA = 2e-3,
            FbScalingBase = 1.1324, Schedule = TransmissionSchedule.Jacobi, JacobiPairingDelay = 1,
            ForwardRule = ForwardRuleKind.VoltageDifference, ForwardVariant = ForwardVariant.SteadyState, UsePretrainOptimizer = true,
        };
        var n = new double[PhaseConstants.EncodedLength];
        c.Write(n);
        var back = PhaseConstants.Read(n);
        foreach (var p in typeof(PhaseConstants).GetProperties())
            Assert.Equal(p.GetValue(c), p.GetValue(back));
        n[0] = 17;
        Assert.Contains("phase", Assert.Throws<ArgumentException>(() => PhaseConstants.Read(n)).Message);
    }
}
