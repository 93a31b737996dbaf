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
    /// <summary>Q-rule pairing delay under Jacobi (null = D (L − l + 2) − 1 with D the link delay: the noise of layer l
    /// at step j climbs L − l links and the controller's, and its answer one link down, arriving at the layer's firing
    /// j + D (L − l + 2) − 1; L − l + 1 for D = 1).</summary>
    public int? JacobiPairingDelay { get; init; }
    /// <summary>Steps every link of the Jacobi schedule delays a value (<c>engine.delay</c>; 1 is the plain Jacobi
    /// schedule). Before a mini-batch every link carries the settled state: a node reads state 0 until its
    /// neighbours' first new states arrive.</summary>
    public int LinkDelay { get; init; } = 1;
    public ForwardRuleKind ForwardRule { get; init; } = ForwardRuleKind.NonlinearDifference;
    public ForwardVariant ForwardVariant { get; init; } = ForwardVariant.Continuous;
    /// <summary>Which optimiser updates Q: the pre-training instance or the training/sleep one.</summary>
    public bool UsePretrainOptimizer { get; init; }

    /// <summary>Q-rule pairing delay of layer <paramref name="layer"/> (1-based) in a net of <paramref name="layers"/>.</summary>
    public int PairingDelay(int layer, int layers) =>
        Schedule == TransmissionSchedule.Sweep ? 1 : JacobiPairingDelay ?? LinkDelay * (layers - layer + 2) - 1;

    /// <summary>Number of values <see cref="Write"/> produces.</summary>
    public const int EncodedLength = 25;

    /// <summary>The constants as plain numbers (exact: every field is a double, an integer or a flag), so a batch
    /// start can carry them to a node hosted anywhere.</summary>
    public void Write(Span<double> d)
    {
        if (d.Length < EncodedLength) throw new ArgumentException($"phase constants need {EncodedLength} numbers, got room for {d.Length}");
        d[0] = (int)Phase; d[1] = Steps; d[2] = Dt; d[3] = TauV; d[4] = TauFb; d[5] = Alpha; d[6] = Kp;
        d[7] = (int)Target; d[8] = SoftmaxError ? 1 : 0; d[9] = TargetStepsize; d[10] = (int)Noise; d[11] = Sigma;
        d[12] = SigmaOut; d[13] = TauNoise; d[14] = LearnForward ? 1 : 0; d[15] = LearnFeedback ? 1 : 0;
        d[16] = HighPassControl ? 1 : 0; d[17] = HighPassA; d[18] = FbScalingBase; d[19] = (int)Schedule;
        d[20] = JacobiPairingDelay ?? -1; d[21] = (int)ForwardRule; d[22] = (int)ForwardVariant; d[23] = UsePretrainOptimizer ? 1 : 0;
        d[24] = LinkDelay;
    }

    /// <summary>Reads what <see cref="Write"/> wrote; malformed input throws <see cref="ArgumentException"/>.</summary>
    public static PhaseConstants Read(ReadOnlySpan<double> d)
    {
        if (d.Length < EncodedLength) throw new ArgumentException($"phase constants need {EncodedLength} numbers, got {d.Length}");
        return new PhaseConstants
        {
            Phase = Enum<DfcPhase>(d[0], "phase"), Steps = Int(d[1], "steps"), Dt = d[2], TauV = d[3], TauFb = d[4], Alpha = d[5], Kp = d[6],
            Target = Enum<TargetKind>(d[7], "target"), SoftmaxError = d[8] != 0, TargetStepsize = d[9], Noise = Enum<NoiseKind>(d[10], "noise"),
            Sigma = d[11], SigmaOut = d[12], TauNoise = d[13], LearnForward = d[14] != 0, LearnFeedback = d[15] != 0,
            HighPassControl = d[16] != 0, HighPassA = d[17], FbScalingBase = d[18], Schedule = Enum<TransmissionSchedule>(d[19], "schedule"),
            JacobiPairingDelay = d[20] < 0 ? null : Int(d[20], "pairing delay"), ForwardRule = Enum<ForwardRuleKind>(d[21], "forward rule"),
            ForwardVariant = Enum<ForwardVariant>(d[22], "forward variant"), UsePretrainOptimizer = d[23] != 0,
            LinkDelay = Math.Max(1, Int(d[24], "link delay")),
        };
    }

    private static int Int(double v, string what) =>
        v == Math.Floor(v) && v >= 0 && v <= int.MaxValue ? (int)v : throw new ArgumentException($"phase constants: {what} {v} is not a count");

    private static T Enum<T>(double v, string what) where T : struct, System.Enum
    {
        int i = Int(v, what);
        return System.Enum.IsDefined(typeof(T), i) ? (T)(object)i : throw new ArgumentException($"phase constants: {what} {v} is not a {typeof(T).Name}");
    }
}
