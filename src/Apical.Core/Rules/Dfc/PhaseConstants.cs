namespace Apical.Core.Rules.Dfc;

/// <summary>What a mini-batch simulation is for; decides the target, the noise and which rules learn.</summary>
public enum DfcPhase
{
    /// <summary>DFC wake phase: weak nudged target, forward rule only.</summary>
    Wake,
    /// <summary>DFC sleep phase: target r_L^-, white noise, feedback rule only.</summary>
    Sleep,
    /// <summary>Feedback pre-training (DFC: a sleep phase; Strong-DFC: label target, low-pass noise).</summary>
    Pretrain,
    /// <summary>Strong-DFC training: label target, both rules from one simulation.</summary>
    Single,
}

/// <summary>How the controller forms its target r_L^*.</summary>
public enum TargetKind
{
    /// <summary>r_L^* = r_L^- − λ (softmax(r_L^-) − y).</summary>
    Nudged,
    /// <summary>r_L^* = y.</summary>
    Label,
    /// <summary>r_L^* = r_L^- (the controller only counteracts noise).</summary>
    Feedforward,
}

/// <summary>
/// The resolved constants of one simulation, handed to every node with the batch start (control plane).
/// Immutable; one instance per phase of a run.
/// </summary>
public sealed class PhaseConstants
{
    public required DfcPhase Phase { get; init; }
    public required int Steps { get; init; }
    public required double Dt { get; init; }
    public required double TauV { get; init; }
    /// <summary>Apical time constant; equal to <see cref="Dt"/> when instantaneous.</summary>
    public required double TauFb { get; init; }
    public bool InstantaneousApical => TauFb == Dt;
    public required double Alpha { get; init; }
    public required double Kp { get; init; }
    public required TargetKind Target { get; init; }
    /// <summary>e = r^* − softmax(r_L) instead of r^* − r_L.</summary>
    public required bool SoftmaxError { get; init; }
    public double TargetStepsize { get; init; }
    public required NoiseKind Noise { get; init; }
    public double Sigma { get; init; }
    public double SigmaOut { get; init; }
    public double TauNoise { get; init; } = 1;
    public required bool LearnForward { get; init; }
    public required bool LearnFeedback { get; init; }
    /// <summary>Q rule on high-pass filtered control (Strong-DFC), with a_f = <see cref="HighPassA"/>.</summary>
    public bool HighPassControl { get; init; }
    public double HighPassA { get; init; }
    /// <summary>Base of the layer scaling s_l = base^(L−l) of the Q rule; 1 = off.</summary>
    public double FbScalingBase { get; init; } = 1;
    public required TransmissionSchedule Schedule { get; init; }
    /// <summary>Q-rule pairing delay under Jacobi (null = L − l + 1).</summary>
    public int? JacobiPairingDelay { get; init; }
    public ForwardRuleKind ForwardRule { get; init; } = ForwardRuleKind.NonlinearDifference;
    public ForwardVariant ForwardVariant { get; init; } = ForwardVariant.Continuous;
    /// <summary>Which optimiser updates Q: the pre-training instance or the training/sleep one.</summary>
    public bool UsePretrainOptimizer { get; init; }

    /// <summary>Q-rule pairing delay of layer <paramref name="layer"/> (1-based) in a net of <paramref name="layers"/>.</summary>
    public int PairingDelay(int layer, int layers) =>
        Schedule == TransmissionSchedule.Sweep ? 1 : JacobiPairingDelay ?? layers - layer + 1;
}
