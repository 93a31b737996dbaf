namespace Apical.Core.Rules.Dfc;

/// <summary>
/// Resolves a <see cref="DfcSpec"/> into the <see cref="PhaseConstants"/> of each simulation a run performs
/// (spec sections 4, 5, 9, 10, 12), applying the reference's copy rules (τ_fb = −1 → dt, σ_out defaults to σ) and
/// its Strong-DFC behaviours (a_f and s_l use the forward dt and τ_v, also in pre-training).
/// </summary>
public static class DfcPhases
{
    /// <summary>DFC wake phase: weak nudged target, plain error, forward rule only. With
    /// <see cref="DfcSpec.StrongFeedback"/> (Strong-DFC 2-phase): label target, softmax error.</summary>
    public static PhaseConstants Wake(DfcSpec s, int linkDelay = 1) => Make(s, s.Forward, DfcPhase.Wake, linkDelay, new Overrides
    {
        Target = s.StrongFeedback == true ? TargetKind.Label : TargetKind.Nudged, SoftmaxError = s.StrongFeedback == true,
        LearnForward = true, LearnFeedback = false,
    });

    /// <summary>DFC sleep phase (or DFC pre-training): target r_L^-, plain error, feedback rule only. With
    /// <see cref="DfcSpec.StrongFeedback"/>: label target and softmax error as in the wake phase; the Q rule still
    /// pairs the apical potentials with the unfiltered control (the reference's two-phase sleep).</summary>
    public static PhaseConstants Sleep(DfcSpec s, bool pretrain, int linkDelay = 1) => Make(s, s.Feedback, pretrain ? DfcPhase.Pretrain : DfcPhase.Sleep, linkDelay, new Overrides
    {
        Target = s.StrongFeedback == true ? TargetKind.Label : TargetKind.Feedforward, SoftmaxError = s.StrongFeedback == true,
        LearnForward = false, LearnFeedback = true, UsePretrainOptimizer = pretrain,
    });

    /// <summary>Strong-DFC training: label target, softmax error, both rules, high-pass filtered control.</summary>
    public static PhaseConstants Single(DfcSpec s, int linkDelay = 1) => Make(s, s.Forward, DfcPhase.Single, linkDelay, new Overrides
    {
        Target = TargetKind.Label, SoftmaxError = true, LearnForward = true, LearnFeedback = true,
        HighPass = true,
    });

    /// <summary>Strong-DFC feedback pre-training: the <c>feedback</c> constants, label target (or r_L^-), Q only.</summary>
    public static PhaseConstants StrongPretrain(DfcSpec s, int linkDelay = 1) => Make(s, s.Feedback, DfcPhase.Pretrain, linkDelay, new Overrides
    {
        Target = s.PretrainWithoutController ? TargetKind.Feedforward : TargetKind.Label,
        SoftmaxError = !s.PretrainWithoutController,
        LearnForward = false, LearnFeedback = true, HighPass = true, UsePretrainOptimizer = true,
    });

    private readonly record struct Overrides
    {
        public TargetKind Target { get; init; }
        public bool SoftmaxError { get; init; }
        public bool LearnForward { get; init; }
        public bool LearnFeedback { get; init; }
        public bool HighPass { get; init; }
        public bool UsePretrainOptimizer { get; init; }
    }

    private static PhaseConstants Make(DfcSpec s, DfcSimulationSpec sim, DfcPhase phase, int linkDelay, Overrides o)
    {
        bool strong = o.HighPass;
        return new PhaseConstants
        {
            Phase = phase,
            Steps = sim.Steps,
            Dt = sim.Dt,
            TauV = sim.TauV,
            TauFb = sim.TauFb == -1 ? sim.Dt : sim.TauFb,
            Alpha = sim.Alpha,
            Kp = sim.Kp,
            Target = o.Target,
            SoftmaxError = o.SoftmaxError,
            TargetStepsize = s.TargetStepsize,
            Noise = sim.Noise,
            Sigma = sim.Sigma,
            SigmaOut = sim.EffectiveSigmaOut,
            TauNoise = s.TauNoise,
            LearnForward = o.LearnForward,
            LearnFeedback = o.LearnFeedback && !s.FreezeFbWeights,
            HighPassControl = strong,
            HighPassA = s.Forward.Dt / s.TauF,
            FbScalingBase = strong && s.ScalingFbUpdates ? 1 + s.Forward.TauV / s.TauNoise : 1,
            Schedule = sim.Schedule,
            JacobiPairingDelay = s.JacobiPairingDelay,
            LinkDelay = sim.Schedule == TransmissionSchedule.Jacobi ? linkDelay : 1,
            ForwardRule = s.ForwardRule,
            ForwardVariant = phase == DfcPhase.Single ? ForwardVariant.Continuous : s.ForwardVariant,
            UsePretrainOptimizer = o.UsePretrainOptimizer,
        };
    }
}
