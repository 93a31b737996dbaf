using Apical.Core.Optimization;

namespace Apical.Core.Rules.Dfc;

/// <summary>Teaching signal of the forward rule (spec section 8).</summary>
public enum ForwardRuleKind
{
    /// <summary>s = φ(v) − φ(v^ff).</summary>
    NonlinearDifference,
    /// <summary>s = v − v^ff.</summary>
    VoltageDifference,
}

/// <summary>Whether the forward rule averages the whole simulation or uses its last step only.</summary>
public enum ForwardVariant
{
    Continuous,
    SteadyState,
}

/// <summary>Apical noise of a simulation (spec 5.3).</summary>
public enum NoiseKind
{
    None,
    /// <summary>Gaussian white noise σ √dt / τ_fb · ξ (DFC sleep phase).</summary>
    White,
    /// <summary>Low-pass filtered noise ε with time constant τ_ε, scaled by σ (Strong-DFC).</summary>
    LowPass,
}

/// <summary>How the layers and the controller exchange values within a simulation step (spec 5).</summary>
public enum TransmissionSchedule
{
    /// <summary>Reference sweep: layers in order with zero-delay hand-over, proactive controller (in-process only).</summary>
    Sweep,
    /// <summary>Every value at k+1 from values at k: the lockstep engine with delay 1 on every link.</summary>
    Jacobi,
}

/// <summary>The constants of one kind of simulation: the wake/training phase or the sleep/pre-training phase.</summary>
public sealed class DfcSimulationSpec
{
    /// <summary>Euler step in units of the controller time constant.</summary>
    public double Dt { get; init; } = 0.02;
    /// <summary>Stored steps T per mini-batch.</summary>
    public int Steps { get; init; } = 500;
    /// <summary>Somatic time constant τ_v / τ_u.</summary>
    public double TauV { get; init; } = 0.2;
    /// <summary>Apical time constant; −1 = instantaneous (τ_fb := dt).</summary>
    public double TauFb { get; init; } = -1;
    /// <summary>Controller leak α (applied to the total control).</summary>
    public double Alpha { get; init; } = 1e-3;
    /// <summary>Proportional gain k_p.</summary>
    public double Kp { get; init; } = 2;
    public NoiseKind Noise { get; init; } = NoiseKind.None;
    /// <summary>Noise scale of hidden layers.</summary>
    public double Sigma { get; init; }
    /// <summary>Noise scale of the output layer; defaults to <see cref="Sigma"/>.</summary>
    public double? SigmaOut { get; init; }
    /// <summary>Sweep (reference, default) or Jacobi.</summary>
    public TransmissionSchedule Schedule { get; init; } = TransmissionSchedule.Sweep;

    public double EffectiveSigmaOut => SigmaOut ?? Sigma;
}

/// <summary>The <c>dfc</c> section of a run config: controller, dynamics, feedback learning and schedule.</summary>
public sealed class DfcSpec
{
    /// <summary>Wake phase (DFC) or the single training phase (Strong-DFC).</summary>
    public DfcSimulationSpec Forward { get; init; } = new();
    /// <summary>Sleep phase (DFC) or feedback pre-training (Strong-DFC).</summary>
    public DfcSimulationSpec Feedback { get; init; } = new() { Dt = 1e-3, Steps = 50, TauV = 5e-3, Alpha = 0.5, Kp = 0, TauFb = 0.1, Noise = NoiseKind.White, Sigma = 0.01 };

    /// <summary>λ of the weak nudged target (DFC).</summary>
    public double TargetStepsize { get; init; } = 0.01;
    /// <summary>c: value of the true class in the label vector.</summary>
    public double TargetClassValue { get; init; } = 1;
    /// <summary>Strong feedback in the two-phase DFC rule ("Strong-DFC (2-phase)", spec 15.2): the wake and sleep
    /// controllers drive the output to the label y with the softmax error instead of a weak nudge (wake) or r_L^-
    /// (sleep). Null: the rule's own choice (off for <c>dfc</c>; always on for <c>strong-dfc</c>, where false is
    /// refused).</summary>
    public bool? StrongFeedback { get; init; }

    public ForwardRuleKind ForwardRule { get; init; } = ForwardRuleKind.NonlinearDifference;
    public ForwardVariant ForwardVariant { get; init; } = ForwardVariant.Continuous;

    /// <summary>τ_ε of the low-pass noise.</summary>
    public double TauNoise { get; init; } = 0.07;
    /// <summary>τ_f of the Strong-DFC high-pass control filter (uses the forward dt).</summary>
    public double TauF { get; init; } = 0.5;
    /// <summary>Multiply the Q update of layer l by (1 + τ_v/τ_ε)^(L−l).</summary>
    public bool ScalingFbUpdates { get; init; }

    /// <summary>Optimiser of Q during training / sleep.</summary>
    public OptimizerSpec FeedbackOptimizer { get; init; } = new() { LearningRate = 1e-4, Beta1 = 0.99, Beta2 = 0.99, ClipNorm = 1 };
    /// <summary>Optimiser of Q during pre-training (a separate instance).</summary>
    public OptimizerSpec PretrainOptimizer { get; init; } = new() { LearningRate = 1e-4, Beta1 = 0.99, Beta2 = 0.99, ClipNorm = 1 };

    /// <summary>Q-only pre-training epochs before training.</summary>
    public int InitFbEpochs { get; init; }
    /// <summary>Q-only epochs after each training epoch.</summary>
    public int ExtraFbEpochs { get; init; }
    /// <summary>Strong-DFC pre-training: target r_L^- instead of the label.</summary>
    public bool PretrainWithoutController { get; init; }
    public bool FreezeFbWeights { get; init; }
    public bool FreezeFbWeightsOutput { get; init; }
    /// <summary>How the hidden layers' Q starts: Xavier-normal, or the product of the forward weights above.</summary>
    public FeedbackInitKind FeedbackInit { get; init; } = FeedbackInitKind.XavierNormal;
    /// <summary>σ_init of the weight-product init (noise added to the product).</summary>
    public double FeedbackInitSigma { get; init; }

    /// <summary>Jacobi Q-rule pairing d_l: null = L − l + 1 (loop latency); 1 = the reference's pairing.</summary>
    public int? JacobiPairingDelay { get; init; }

    /// <summary>Compute the oracle diagnostics (angles, condition 2) once per epoch on a probe mini-batch.</summary>
    public bool Diagnostics { get; init; } = true;
    /// <summary>Size of the probe mini-batch (test set, first samples).</summary>
    public int ProbeBatchSize { get; init; } = 32;
    /// <summary>Damping γ of the Gauss–Newton target.</summary>
    public double GnDamping { get; init; } = 1e-5;
}
