using Apical.Core.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// Oracle diagnostics on a fixed probe mini-batch (spec 14): the run's forward update (simulated, not applied)
/// against the back-propagated gradient and the damped Gauss–Newton update, and condition 2 of Q; with a weak
/// (nudged) target also against the analytical steady state (SSA angle and distance), with the label target
/// (Strong-DFC) against the gradient of the surrogate H = ‖Q u‖² (H angle) and the probe's H.
/// </summary>
public static class DfcProbe
{
    public static List<KeyValuePair<string, double>> Measure(DfcSimulator sim, PhaseConstants phase, Tensor x, Tensor labels,
        double gnDamping, long batchSerial)
    {
        var net = sim.Network;
        int L = net.Layers.Count;
        var result = new List<KeyValuePair<string, double>>();
        sim.Run(phase, x, labels, batchSerial, apply: false); // gradients only; no weight changes

        var oracle = new DfcOracle(net.Layers);
        var q = oracle.StackedQ();
        int rows = x.Rows;
        double c2 = 0, qAngle = 0, stability = double.NegativeInfinity;
        var idN = Matrix<double>.Build.DenseIdentity(oracle.OutputSize);
        var gnShift = new List<Vector<double>>(rows);
        var ssaShift = new List<Vector<double>>(rows);
        var uSim = new List<Vector<double>>(rows);
        double ssaDistance = 0;
        var rMinus = sim.OutputMinus;
        var uExact = net.Controller.ControlExact.ToArray();
        int nL = oracle.OutputSize;
        for (int b = 0; b < rows; b++)
        {
            var (v, _) = oracle.Feedforward(x.Row(b));
            var j = oracle.Jacobian(v);
            c2 += Condition2(j, q);
            qAngle += DfcOracle.Angle(q, j.Transpose());
            var jq = j * q;
            var loop = -(jq + idN * phase.Alpha) * (idN + jq * phase.Kp).Inverse();
            foreach (var ev in loop.Evd().EigenValues) stability = Math.Max(stability, ev.Real);
            var rm = DfcOracle.RowVector(rMinus, b);
            var y = DfcOracle.RowVector(labels, b);
            var delta = phase.Target == TargetKind.Label ? y - rm : -phase.TargetStepsize * (DfcOracle.Softmax(rm) - y);
            gnShift.Add(DfcOracle.GaussNewton(j, delta, gnDamping));
            uSim.Add(Vector<double>.Build.Dense(nL, i => uExact[b * nL + i]));
            if (phase.Target != TargetKind.Nudged) continue;
            var (_, dv) = oracle.SteadyState(j, delta, phase.Alpha);
            ssaShift.Add(dv);
            var rSsa = oracle.OutputWithShift(x.Row(b), dv);
            var rSim = DfcOracle.RowVector(net.Layers[^1].Rates, b);
            ssaDistance += (rSim - rSsa).L2Norm() / (rm - rSsa).L2Norm();
        }
        result.Add(new("condition2", c2 / rows));
        result.Add(new("q_angle_to_jt", qAngle / rows));
        result.Add(new("max_re_closed_loop", stability)); // must be < 0 (spec 14, instantaneous network)

        var (bp, _) = oracle.BackpropGradients(x, labels);
        var gn = oracle.SteadyStateUpdate(x, gnShift, phase.ForwardRule);
        var sims = new Matrix<double>[L];
        for (int l = 0; l < L; l++) sims[l] = DfcOracle.ToMatrix(net.Layers[l].WeightGradient);
        for (int l = 0; l < L; l++) result.Add(new($"bp_angle_l{l + 1}", DfcOracle.Angle(sims[l], bp[l])));
        result.Add(new("bp_angle_total", TotalAngle(sims, bp)));
        for (int l = 0; l < L; l++) result.Add(new($"gn_angle_l{l + 1}", DfcOracle.Angle(sims[l], gn[l])));
        result.Add(new("gn_angle_total", TotalAngle(sims, gn)));
        if (phase.Target == TargetKind.Nudged)
        {
            var ssa = oracle.SteadyStateUpdate(x, ssaShift, phase.ForwardRule);
            for (int l = 0; l < L; l++) result.Add(new($"ssa_angle_l{l + 1}", DfcOracle.Angle(sims[l], ssa[l])));
            result.Add(new("ssa_angle_total", TotalAngle(sims, ssa)));
            result.Add(new("ssa_distance", ssaDistance / rows));
        }
        if (phase.Target == TargetKind.Label)
        {
            var (hGrad, h) = oracle.ControlEffortGradient(x, uSim, phase.Alpha);
            for (int l = 0; l < L; l++) result.Add(new($"h_angle_l{l + 1}", DfcOracle.Angle(sims[l], hGrad[l])));
            result.Add(new("h_angle_total", TotalAngle(sims, hGrad)));
            result.Add(new("probe_control_effort", h));
        }
        return result;
    }

    /// <summary>‖P Q‖_F/‖Q‖_F with P Q = Jᵀ (J Jᵀ)^{-1} (J Q), without forming the N × N projector.</summary>
    public static double Condition2(Matrix<double> j, Matrix<double> q)
    {
        var pq = j.Transpose() * (j * j.Transpose()).Solve(j * q);
        return pq.FrobeniusNorm() / q.FrobeniusNorm();
    }

    private static double TotalAngle(Matrix<double>[] a, Matrix<double>[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int l = 0; l < a.Length; l++)
        {
            var x = a[l].AsColumnMajorArray();
            var y = b[l].AsColumnMajorArray();
            for (int i = 0; i < x.Length; i++) { ab += x[i] * y[i]; aa += x[i] * x[i]; bb += y[i] * y[i]; }
        }
        if (aa == 0 || bb == 0) return double.NaN;
        return Math.Acos(Math.Clamp(ab / Math.Sqrt(aa * bb), -1, 1)) * 180 / Math.PI;
    }
}
