using System.Numerics;
using System.Runtime.InteropServices;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// Steps 3–4 of a layer update fused into one pass over one row: the bias is added to the drive, then the error
/// neurons (<see cref="ErrorNeurons"/>) and the membrane (<see cref="ProspectiveRate"/>) advance with exactly their
/// arithmetic (same operations in the same order, no fused multiply-add).
/// </summary>
public static class NeuronStep
{
    /// <param name="drive">W r_in on entry (bias not yet added); overwritten with x − u, x = s + γe.</param>
    /// <param name="bias">b, or empty for a layer without bias.</param>
    /// <param name="uDot">u̇ output, or empty when τ_m is not learned.</param>
    public static void Row(ReadOnlySpan<float> eInst, Span<float> v, Span<float> e, Span<float> drive, ReadOnlySpan<float> bias,
                           Span<float> u, Span<float> uTilde, Span<float> uDot, float gamma, bool prospective,
                           ReadOnlySpan<float> mOverR, ReadOnlySpan<float> dtOverR,
                           ReadOnlySpan<float> rOverM, ReadOnlySpan<float> dtOverM, ReadOnlySpan<float> invTauM)
    {
        int n = eInst.Length;
        bool wantUDot = !uDot.IsEmpty, hasBias = !bias.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            // The lengths were all n (checked below); unchecked loads and stores keep the loop free of bounds checks.
            if (v.Length < n || e.Length < n || drive.Length < n || u.Length < n || uTilde.Length < n || mOverR.Length < n
                || dtOverR.Length < n || rOverM.Length < n || dtOverM.Length < n || (hasBias && bias.Length < n)
                || (wantUDot && (uDot.Length < n || invTauM.Length < n)))
                throw new ArgumentException($"NeuronStep.Row: every span must hold the {n} values of e^inst");
            ref float ei = ref MemoryMarshal.GetReference(eInst);
            ref float vr = ref MemoryMarshal.GetReference(v);
            ref float er = ref MemoryMarshal.GetReference(e);
            ref float dr = ref MemoryMarshal.GetReference(drive);
            ref float br = ref MemoryMarshal.GetReference(bias);
            ref float ur = ref MemoryMarshal.GetReference(u);
            ref float utr = ref MemoryMarshal.GetReference(uTilde);
            ref float udr = ref MemoryMarshal.GetReference(uDot);
            ref float mr = ref MemoryMarshal.GetReference(mOverR);
            ref float drr = ref MemoryMarshal.GetReference(dtOverR);
            ref float rm = ref MemoryMarshal.GetReference(rOverM);
            ref float dm = ref MemoryMarshal.GetReference(dtOverM);
            ref float im = ref MemoryMarshal.GetReference(invTauM);
            var g = new Vector<float>(gamma);
            nuint end = (nuint)(n - Vector<float>.Count);
            for (nuint k = 0; k <= end; k += (nuint)Vector<float>.Count)
            {
                Vector<float> ek, vk;
                if (prospective)
                {
                    var vOld = Vector.LoadUnsafe(ref vr, k);
                    var diff = Vector.LoadUnsafe(ref ei, k) - vOld;
                    ek = diff * Vector.LoadUnsafe(ref mr, k) + vOld;
                    vk = diff * Vector.LoadUnsafe(ref drr, k) + vOld;
                }
                else ek = vk = Vector.LoadUnsafe(ref ei, k);
                ek.StoreUnsafe(ref er, k);
                vk.StoreUnsafe(ref vr, k);
                var s = Vector.LoadUnsafe(ref dr, k);
                if (hasBias) s += Vector.LoadUnsafe(ref br, k);
                var x = gamma != 0f ? ek * g + s : s;
                var uOld = Vector.LoadUnsafe(ref ur, k);
                var dx = x - uOld;
                dx.StoreUnsafe(ref dr, k);
                (dx * Vector.LoadUnsafe(ref rm, k) + uOld).StoreUnsafe(ref utr, k);
                if (wantUDot) (dx * Vector.LoadUnsafe(ref im, k)).StoreUnsafe(ref udr, k);
                (dx * Vector.LoadUnsafe(ref dm, k) + uOld).StoreUnsafe(ref ur, k);
            }
            i = n / Vector<float>.Count * Vector<float>.Count;
        }
        for (; i < n; i++)
        {
            float ek, vk;
            if (prospective)
            {
                float vOld = v[i], diff = eInst[i] - vOld;
                ek = diff * mOverR[i] + vOld;
                vk = diff * dtOverR[i] + vOld;
            }
            else ek = vk = eInst[i];
            e[i] = ek;
            v[i] = vk;
            float s = hasBias ? drive[i] + bias[i] : drive[i];
            float x = gamma != 0f ? ek * gamma + s : s;
            float uOld = u[i], dx = x - uOld;
            drive[i] = dx;
            uTilde[i] = dx * rOverM[i] + uOld;
            if (wantUDot) uDot[i] = dx * invTauM[i];
            u[i] = dx * dtOverM[i] + uOld;
        }
    }
}
