using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>Spec checks 1, 12 and the controller's fixed point e = α u (section 3).</summary>
public class ControllerTests
{
    [Fact]
    public void NoErrorMeansNoControlAndNoPlasticity()
    {
        // λ = 0: r^* = r^-, so u stays 0, v = v^ff = v^- and every accumulator stays 0 (check 1).
        var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: false);
        var x = DfcTestNets.Normal(8, 20, 1f, 3);
        var labels = new Tensor(8, 5);
        for (int b = 0; b < 8; b++) labels[b, b % 5] = 1;
        var before = new float[3][];
        for (int l = 0; l < 3; l++) before[l] = net.Layers[l].Weights.Span.ToArray();
        using var sim = new DfcSimulator(net, 8);
        var rMinus = sim.Feedforward(x).Clone();
        sim.Run(DfcTestNets.Constants(steps: 200, target: TargetKind.Nudged, lambda: 0, learnForward: true), x, labels, 0, apply: false);
        foreach (var u in net.Controller.ControlExact) Assert.Equal(0.0, u);
        Assert.Equal(rMinus.Span.ToArray(), DfcTestNets.Output(net).Span.ToArray());
        foreach (var layer in net.Layers)
        {
            Assert.Equal(layer.BasalVoltage.Span.ToArray(), layer.Voltage.Span.ToArray());
            Assert.All(layer.WeightGradient.Span.ToArray(), g => Assert.Equal(0f, g));
            Assert.All(layer.BiasGradient.Span.ToArray(), g => Assert.Equal(0f, g));
        }
        for (int l = 0; l < 3; l++) Assert.Equal(before[l], net.Layers[l].Weights.Span.ToArray());
    }

    [Fact]
    public void SilentSleepPhaseChangesQByWeightDecayOnly()
    {
        // σ = 0 sleep phase: the Q gradient is exactly 0; with SGD and decay wd the new Q is (1 − lr·wd) Q.
        var fb = new Apical.Core.Optimization.OptimizerSpec { Type = Apical.Core.Optimization.OptimizerKind.Sgd, LearningRate = 0.1, WeightDecay = 0.5 };
        var net = DfcTestNets.Build(new[] { 20, 10, 5 }, linear: false, feedback: fb);
        var q0 = net.Layers[0].FeedbackWeights.Span.ToArray();
        var x = DfcTestNets.Normal(8, 20, 1f, 3);
        using var sim = new DfcSimulator(net, 8);
        var silent = DfcTestNets.Constants(steps: 50, target: TargetKind.Feedforward, learnFeedback: true, noise: NoiseKind.White, sigma: 0,
            tauFb: 0.1, dt: 0.01, tauV: 0.05, phase: DfcPhase.Sleep);
        sim.Run(silent, x, new Tensor(8, 5), 0, apply: false);
        foreach (var l in net.Layers) Assert.All(l.FeedbackGradient.Span.ToArray(), g => Assert.Equal(0f, g));
        sim.Run(silent, x, new Tensor(8, 5), 0);
        var q1 = net.Layers[0].FeedbackWeights.Span;
        for (int i = 0; i < q0.Length; i++) Assert.Equal(q0[i] * (1 - 0.1f * 0.5f), q1[i], 1e-6f);
    }

    [Fact]
    public void FixedPointSatisfiesErrorEqualsLeakTimesControl()
    {
        var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: false);
        var x = DfcTestNets.Normal(8, 20, 1f, 3);
        var labels = new Tensor(8, 5);
        for (int b = 0; b < 8; b++) labels[b, b % 5] = 1;
        using var sim = new DfcSimulator(net, 8);
        var c = DfcTestNets.Constants(steps: 3000, alpha: 1e-3, target: TargetKind.Nudged, lambda: 0.1);
        sim.Run(c, x, labels, 0, apply: false);
        var ctl = net.Controller;
        for (int b = 0; b < 8; b++)
        {
            // Spec 5.4: ‖e − αu‖ < 1e-5 ‖r_L^-‖ and ‖e[T−1]‖ < 0.25 ‖e[0]‖.
            Assert.True(ctl.Converged(b), $"sample {b}: ‖e − αu‖ = {ctl.FinalResidual[b]:E2}, ‖e[T−1]‖/‖e[0]‖ = {ctl.FinalError[b] / ctl.InitialError(b):F3}");
        }
    }

    [Fact]
    public void JacobiOnTheLockstepEngineEqualsDirectJacobiBitwise()
    {
        float[][] Run(bool engine)
        {
            var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: false, lr: 1e-2);
            var x = DfcTestNets.Normal(8, 20, 1f, 3);
            var labels = new Tensor(8, 5);
            for (int b = 0; b < 8; b++) labels[b, b % 5] = 1;
            using var sim = new DfcSimulator(net, 8) { JacobiOnEngine = engine };
            var wake = DfcTestNets.Constants(steps: 100, alpha: 0.01, target: TargetKind.Nudged, lambda: 0.1, learnForward: true,
                schedule: TransmissionSchedule.Jacobi);
            var sleep = DfcTestNets.Constants(steps: 40, dt: 1e-3, tauV: 5e-3, alpha: 0.4, kp: 0.07, target: TargetKind.Feedforward, learnFeedback: true,
                noise: NoiseKind.White, sigma: 0.03, tauFb: 0.14, schedule: TransmissionSchedule.Jacobi, phase: DfcPhase.Sleep);
            for (int i = 0; i < 3; i++)
            {
                sim.Run(sleep, x, labels, 2 * i);
                sim.Run(wake, x, labels, 2 * i + 1);
            }
            var result = new List<float[]>();
            foreach (var l in net.Layers)
                foreach (var p in l.Parameters) result.Add(p.Tensor.Span.ToArray());
            return result.ToArray();
        }
        var a = Run(engine: true);
        var b = Run(engine: false);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
    }

    [Fact]
    public void JacobiAndSweepShareTheSteadyState()
    {
        // Check 12, linear setting of check 3 with Q = Jᵀ and α = 1e-6.
        double[] Final(TransmissionSchedule schedule)
        {
            var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: true);
            var oracle = new DfcOracle(net.Layers);
            var x = DfcTestNets.Normal(8, 20, 1f, 11);
            var (v, _) = oracle.Feedforward(x.Row(0));
            DfcTestNets.SetQ(net, oracle.Jacobian(v).Transpose(), oracle);
            using var sim = new DfcSimulator(net, 8) { JacobiOnEngine = false };
            var target = DfcTestNets.Shifted(sim.Feedforward(x).Clone(), DfcTestNets.Normal(8, 5, 0.1f, 5));
            sim.Run(DfcTestNets.Constants(alpha: 1e-6, steps: 3000, schedule: schedule), x, target, 0, apply: false);
            return net.Controller.ControlExact.ToArray();
        }
        var sweep = Final(TransmissionSchedule.Sweep);
        var jacobi = Final(TransmissionSchedule.Jacobi);
        double diff = 0, norm = 0;
        for (int i = 0; i < sweep.Length; i++) { diff += (sweep[i] - jacobi[i]) * (sweep[i] - jacobi[i]); norm += sweep[i] * sweep[i]; }
        // Project threshold 1e-6 is for float64; the float32 soma limits u_ss to ~1e-4 relative here.
        Assert.True(Math.Sqrt(diff / norm) < 1e-3, $"relative u[T−1] difference {Math.Sqrt(diff / norm):E2}");
    }

    [Fact]
    public void ForwardRuleOnAWorkerThreadIsBitIdentical()
    {
        float[][] Run(bool worker)
        {
            bool saved = ForwardRule.UseWorkerThreads;
            ForwardRule.UseWorkerThreads = worker;
            DfcNetwork net;
            try { net = DfcTestNets.Build(new[] { 32, 256, 128, 10 }, linear: false, batch: 8, lr: 1e-2); }
            finally { ForwardRule.UseWorkerThreads = saved; }
            var x = DfcTestNets.Normal(8, 32, 1f, 3);
            var labels = new Tensor(8, 10);
            for (int b = 0; b < 8; b++) labels[b, b % 10] = 1;
            using var sim = new DfcSimulator(net, 8);
            var wake = DfcTestNets.Constants(steps: 150, alpha: 0.01, target: TargetKind.Nudged, lambda: 0.1, learnForward: true);
            for (int i = 0; i < 3; i++) sim.Run(wake, x, labels, i);
            return net.Layers.Select(l => l.Weights.Span.ToArray()).ToArray();
        }
        var a = Run(worker: true);
        var b = Run(worker: false);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
    }

    [Fact]
    public void LockstepGraphIsLocal()
    {
        // Check 16: layer l sends only r_l up (the top layer to the controller), the controller only u to every layer.
        // Node ids: 0 the coordinator (no links), layers 1..L, controller L + 1.
        var net = DfcTestNets.Build(new[] { 20, 10, 10, 5 }, linear: false);
        int L = net.Layers.Count;
        Assert.Equal(Apical.Core.Model.ScheduleKind.Source, net.Topology.Nodes[0].Schedule.Kind);
        Assert.Equal(L + 1, net.Controller.Id);
        foreach (var link in net.Topology.Links)
        {
            Assert.Equal(1, link.Delay);
            Assert.NotEqual(0, link.From);
            Assert.NotEqual(0, link.To);
            if (link.From == L + 1) { Assert.Equal(Apical.Core.Model.MessageKind.Control, link.Kind); continue; }
            Assert.True(link.To == link.From + 1, $"link {link} goes from layer {link.From} to node {link.To}");
            Assert.Equal(link.To == L + 1 ? Apical.Core.Model.MessageKind.Output : Apical.Core.Model.MessageKind.Rates, link.Kind);
        }
        for (int l = 0; l < L; l++)
        {
            Assert.Single(net.Layers[l].Outputs);
            Assert.Equal(net.Layers[l].Options.OutSize, net.Layers[l].Outputs[0].Width);
        }
        Assert.Equal(5, net.Controller.Outputs[0].Width);
        Assert.Equal(2 * L, net.Topology.Links.Count); // L Control links, L − 1 Rates, 1 Output
    }
}
