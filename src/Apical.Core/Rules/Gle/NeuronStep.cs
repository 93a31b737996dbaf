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
            int vl = n / Vector<float>.Count;
            var eiV = MemoryMarshal.Cast<float, Vector<float>>(eInst);
            var vV = MemoryMarshal.Cast<float, Vector<float>>(v);
            var eV = MemoryMarshal.Cast<float, Vector<float>>(e);
            var dV = MemoryMarshal.Cast<float, Vector<float>>(drive);
            var bV = hasBias ? MemoryMarshal.Cast<float, Vector<float>>(bias) : default;
            var uV = MemoryMarshal.Cast<float, Vector<float>>(u);
            var utV = MemoryMarshal.Cast<float, Vector<float>>(uTilde);
            var udV = wantUDot ? MemoryMarshal.Cast<float, Vector<float>>(uDot) : default;
            var mrV = MemoryMarshal.Cast<float, Vector<float>>(mOverR);
            var drV = MemoryMarshal.Cast<float, Vector<float>>(dtOverR);
            var rmV = MemoryMarshal.Cast<float, Vector<float>>(rOverM);
            var dmV = MemoryMarshal.Cast<float, Vector<float>>(dtOverM);
            var imV = MemoryMarshal.Cast<float, Vector<float>>(invTauM);
            var g = new Vector<float>(gamma);
            for (int k = 0; k < vl; k++)
            {
                Vector<float> ek, vk;
                if (prospective)
                {
                    var vOld = vV[k];
                    var diff = eiV[k] - vOld;
                    ek = diff * mrV[k] + vOld;
                    vk = diff * drV[k] + vOld;
                }
                else ek = vk = eiV[k];
                eV[k] = ek;
                vV[k] = vk;
                var s = hasBias ? dV[k] + bV[k] : dV[k];
                var x = gamma != 0f ? ek * g + s : s;
                var uOld = uV[k];
                var dx = x - uOld;
                dV[k] = dx;
                utV[k] = dx * rmV[k] + uOld;
                if (wantUDot) udV[k] = dx * imV[k];
                uV[k] = dx * dmV[k] + uOld;
            }
            i = vl * Vector<float>.Count;
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
