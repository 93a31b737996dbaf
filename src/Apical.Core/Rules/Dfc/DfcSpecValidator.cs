using Apical.Core.Model;

namespace Apical.Core.Rules.Dfc;

/// <summary>Semantic checks of the <c>dfc</c> section; every problem names its field (spec section 5 constraints).</summary>
public static class DfcSpecValidator
{
    public static IEnumerable<(string Field, string Reason)> Validate(DfcSpec s, RuleKind rule)
    {
        foreach (var p in Simulation(s.Forward, "dfc.forward")) yield return p;
        foreach (var p in Simulation(s.Feedback, "dfc.feedback")) yield return p;
        if (!(s.TargetStepsize >= 0) || double.IsInfinity(s.TargetStepsize))
            yield return ("dfc.targetStepsize", $"must be a finite number >= 0, got {s.TargetStepsize}");
        if (!(s.TargetClassValue > 0 && s.TargetClassValue <= 1))
            yield return ("dfc.targetClassValue", $"must lie in (0, 1], got {s.TargetClassValue}");
        bool strong = rule == RuleKind.StrongDfc || s.StrongFeedback == true;
        if (strong && s.TargetClassValue >= 1)
            yield return ("dfc.targetClassValue", $"must be < 1 with the strong (softmax) target, which never reaches 1; got {s.TargetClassValue} (the reference's strong-feedback runs use 0.9 to 0.999)");
        if (rule == RuleKind.Dfc && s.PretrainWithoutController)
            yield return ("dfc.pretrainWithoutController", "applies to strong-dfc; the dfc pre-training is a sleep phase, whose target is r_L^- already");
        if (rule == RuleKind.Dfc && s.ScalingFbUpdates)
            yield return ("dfc.scalingFbUpdates", "applies to strong-dfc (the layer scaling of its Q rule); the dfc sleep phase does not scale its updates");
        if (rule == RuleKind.StrongDfc && s.StrongFeedback == false)
            yield return ("dfc.strongFeedback", "Strong-DFC always drives the output to the label; weak feedback is the \"dfc\" rule (drop the field or set it true)");
        if (!(s.TauF > 0 && s.TauF < 1)) yield return ("dfc.tauF", $"must lie in (0, 1), got {s.TauF}");
        if (!(s.TauNoise > 0)) yield return ("dfc.tauNoise", $"must be > 0, got {s.TauNoise}");
        else if (s.TauNoise > s.TauF) yield return ("dfc.tauNoise", $"must be <= tauF ({s.TauF}), got {s.TauNoise}");
        if (s.Forward.TauV > s.TauF) yield return ("dfc.forward.tauV", $"must be <= tauF ({s.TauF}), got {s.Forward.TauV}");
        if (s.Feedback.TauV > s.TauF) yield return ("dfc.feedback.tauV", $"must be <= tauF ({s.TauF}), got {s.Feedback.TauV}");
        if (s.InitFbEpochs < 0) yield return ("dfc.initFbEpochs", $"must be >= 0, got {s.InitFbEpochs}");
        if (s.ExtraFbEpochs < 0) yield return ("dfc.extraFbEpochs", $"must be >= 0, got {s.ExtraFbEpochs}");
        if (s.JacobiPairingDelay is { } d && d < 1) yield return ("dfc.jacobiPairingDelay", $"must be >= 1, got {d}");
        if (!(s.FeedbackInitSigma >= 0) || double.IsInfinity(s.FeedbackInitSigma))
            yield return ("dfc.feedbackInitSigma", $"must be a finite number >= 0, got {s.FeedbackInitSigma}");
        else if (s.FeedbackInitSigma > 0 && s.FeedbackInit != FeedbackInitKind.WeightProduct)
            yield return ("dfc.feedbackInitSigma", "is the noise of the \"weight-product\" feedback init; set \"feedbackInit\": \"weight-product\" or drop it");
        if (s.ProbeBatchSize < 1) yield return ("dfc.probeBatchSize", $"must be >= 1, got {s.ProbeBatchSize}");
        if (!(s.GnDamping >= 0)) yield return ("dfc.gnDamping", $"must be >= 0, got {s.GnDamping}");
        foreach (var (f, r) in s.FeedbackOptimizer.Validate()) yield return ($"dfc.feedbackOptimizer.{f}", r);
        foreach (var (f, r) in s.PretrainOptimizer.Validate()) yield return ($"dfc.pretrainOptimizer.{f}", r);
        if (rule == RuleKind.StrongDfc && s.Forward.Noise == NoiseKind.White)
            yield return ("dfc.forward.noise", "Strong-DFC uses low-pass noise (\"low-pass\") or none, got \"white\"");
    }

    private static IEnumerable<(string, string)> Simulation(DfcSimulationSpec s, string f)
    {
        if (!(s.Dt > 0) || double.IsInfinity(s.Dt)) yield return ($"{f}.dt", $"must be > 0, got {s.Dt}");
        if (s.Steps < 2) yield return ($"{f}.steps", $"must be >= 2, got {s.Steps}");
        if (!(s.TauV > 0)) yield return ($"{f}.tauV", $"must be > 0, got {s.TauV}");
        else if (s.Dt > s.TauV) yield return ($"{f}.dt", $"must be <= tauV ({s.TauV}) or Euler overshoots, got {s.Dt}");
        if (s.TauFb != -1 && !(s.TauFb > 0)) yield return ($"{f}.tauFb", $"must be > 0, or -1 for an instantaneous apical compartment, got {s.TauFb}");
        else if (s.TauFb > 0 && s.Dt > s.TauFb) yield return ($"{f}.dt", $"must be <= tauFb ({s.TauFb}), got {s.Dt}");
        if (!(s.Alpha > 0) || double.IsInfinity(s.Alpha)) yield return ($"{f}.alpha", $"must be > 0, got {s.Alpha}");
        if (!(s.Kp >= 0) || double.IsInfinity(s.Kp)) yield return ($"{f}.kp", $"must be >= 0, got {s.Kp}");
        if (!(s.Sigma >= 0)) yield return ($"{f}.sigma", $"must be >= 0, got {s.Sigma}");
        if (s.SigmaOut is { } so && !(so >= 0)) yield return ($"{f}.sigmaOut", $"must be >= 0, got {so}");
        if (s.Noise != NoiseKind.None && s.Sigma == 0 && s.EffectiveSigmaOut == 0)
            yield return ($"{f}.sigma", $"noise \"{s.Noise}\" needs sigma > 0 (use \"none\" for a noise-free phase)");
    }
}
