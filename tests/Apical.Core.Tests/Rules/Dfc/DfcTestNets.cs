using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Dfc;
using MathNet.Numerics.LinearAlgebra;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>Small DFC networks, inputs and phase constants for the checks of the DFC spec.</summary>
internal static class DfcTestNets
{
    public static OptimizerSpec Adam(double lr) => new() { LearningRate = lr, Beta1 = 0.9, Beta2 = 0.99, Epsilon = 1e-8, ClipNorm = 1 };

    public static DfcNetwork Build(int[] sizes, bool linear, int batch = 8, ulong seed = 3, double lr = 1e-3, OptimizerSpec? feedback = null,
        LinkModel? links = null, FeedbackInitKind feedbackInit = FeedbackInitKind.XavierNormal, double feedbackInitSigma = 0)
    {
        var acts = new Activation[sizes.Length - 1];
        for (int i = 0; i < acts.Length; i++) acts[i] = linear || i == acts.Length - 1 ? Activation.Linear : Activation.Tanh;
        return DfcNetwork.Build(sizes, batch, seed, Adam(lr), feedback ?? Adam(lr), feedback ?? Adam(lr), acts, links: links,
            feedbackInit: feedbackInit, feedbackInitSigma: feedbackInitSigma);
    }

    public static Tensor Normal(int rows, int cols, float std, ulong seed)
    {
        var t = new Tensor(rows, cols);
        var rng = new CounterRng(seed, 99);
        rng.FillNormal(t.Span, 0f, std);
        return t;
    }

    public static Tensor Uniform(int rows, int cols, ulong seed)
    {
        var t = new Tensor(rows, cols);
        var rng = new CounterRng(seed, 98);
        rng.FillUniform(t.Span, -1f, 1f);
        return t;
    }

    public static PhaseConstants Constants(double dt = 0.02, int steps = 1000, double tauV = 0.2, double alpha = 1e-3, double kp = 2,
        TargetKind target = TargetKind.Label, bool softmax = false, double lambda = 0, bool learnForward = false, bool learnFeedback = false,
        TransmissionSchedule schedule = TransmissionSchedule.Sweep, ForwardRuleKind rule = ForwardRuleKind.NonlinearDifference,
        ForwardVariant variant = ForwardVariant.Continuous, NoiseKind noise = NoiseKind.None, double sigma = 0, double tauFb = -1,
        DfcPhase phase = DfcPhase.Wake, double tauNoise = 1, bool highPass = false, double highPassA = 0, int? pairing = null,
        int linkDelay = 1) => new()
    {
        Phase = phase,
        Steps = steps,
        Dt = dt,
        TauV = tauV,
        TauFb = tauFb < 0 ? dt : tauFb,
        Alpha = alpha,
        Kp = kp,
        Target = target,
        SoftmaxError = softmax,
        TargetStepsize = lambda,
        Noise = noise,
        Sigma = sigma,
        SigmaOut = sigma,
        TauNoise = tauNoise,
        LearnForward = learnForward,
        LearnFeedback = learnFeedback,
        Schedule = schedule,
        ForwardRule = rule,
        ForwardVariant = variant,
        HighPassControl = highPass,
        HighPassA = highPassA,
        JacobiPairingDelay = pairing,
        LinkDelay = linkDelay,
    };

    /// <summary>Writes the stacked matrix back into the layers' Q (float32) and repacks.</summary>
    public static void SetQ(DfcNetwork net, Matrix<double> stacked, DfcOracle oracle)
    {
        for (int l = 0; l < net.Layers.Count; l++)
        {
            var q = net.Layers[l].FeedbackWeights;
            int off = oracle.Offset(l);
            for (int i = 0; i < q.Rows; i++)
                for (int j = 0; j < q.Cols; j++) q[i, j] = (float)stacked[off + i, j];
            net.Layers[l].Repack();
        }
        oracle.SetStackedQ(stacked);
    }

    /// <summary>The simulated Δv = v − v^ff of sample b, stacked over layers.</summary>
    public static Vector<double> DeltaV(DfcNetwork net, int b)
    {
        int n = 0;
        foreach (var l in net.Layers) n += l.Options.OutSize;
        var d = Vector<double>.Build.Dense(n);
        int off = 0;
        foreach (var l in net.Layers)
        {
            var v = l.Voltage.Row(b);
            var f = l.BasalVoltage.Row(b);
            for (int i = 0; i < v.Length; i++) d[off + i] = (double)v[i] - f[i];
            off += v.Length;
        }
        return d;
    }

    public static Tensor Output(DfcNetwork net) => net.Layers[^1].Rates;

    /// <summary>Target r^- + δ for each row.</summary>
    public static Tensor Shifted(Tensor rMinus, Tensor delta)
    {
        var t = new Tensor(rMinus.Rows, rMinus.Cols);
        for (int i = 0; i < t.Length; i++) t.Data[i] = rMinus.Data[i] + delta.Data[i];
        return t;
    }
}
