using System.Runtime.CompilerServices;

namespace Apical.Core.Numerics;

/// <summary>
/// Counter-based random numbers on <see cref="Philox"/>4x32-10. The generator state is a pure function of
/// (seed, stream, counter): key = seed (64 bits), counter words 0-1 = a 64-bit block index, counter words 2-3 =
/// the 64-bit stream id. Each block yields four 32-bit outputs. Two generators with the same triple produce the
/// same sequence on any thread or machine; different streams or block ranges never overlap.
/// It is a mutable struct: pass it by <c>ref</c>.
/// </summary>
public struct CounterRng
{
    private const float TwoPowMinus24 = 1f / 16777216f;

    private readonly uint _k0, _k1, _s0, _s1;
    private ulong _block;
    private uint _r0, _r1, _r2, _r3;
    private int _used; // outputs of the current block already handed out; 4 = exhausted
    private float _spare;
    private bool _hasSpare;

    public CounterRng(ulong seed, ulong stream, ulong counter = 0)
    {
        _k0 = (uint)seed;
        _k1 = (uint)(seed >> 32);
        _s0 = (uint)stream;
        _s1 = (uint)(stream >> 32);
        _block = counter;
        _r0 = _r1 = _r2 = _r3 = 0;
        _used = 4;
        _spare = 0;
        _hasSpare = false;
    }

    /// <summary>
    /// The generator for one node's use of randomness at one training step.
    /// Stream = (node as unsigned 32 bits) &lt;&lt; 32 | purpose, so every (node, purpose) pair has its own stream.
    /// Counter = step &lt;&lt; 32, giving each step its own range of 2^32 blocks (2^34 values): a layer's draws at
    /// step s depend only on (seed, node, s, purpose), never on thread timing or placement.
    /// </summary>
    public static CounterRng For(ulong seed, int node, long step, RngPurpose purpose)
    {
        if (step < 0 || step > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(step), $"step {step} is outside [0, 2^32)");
        ulong stream = ((ulong)(uint)node << 32) | (uint)purpose;
        return new CounterRng(seed, stream, (ulong)step << 32);
    }

    /// <summary>
    /// The generator of one sample row's draws at one step: like <see cref="For"/>, with the row in bits 8-31 of the
    /// stream's purpose word (as row + 1, so no row stream meets a <see cref="For"/> stream), starting
    /// <paramref name="block"/> blocks into the step's range. A row's draws depend only on (seed, node, step, purpose,
    /// row), never on which other rows share its mini-batch or its process.
    /// </summary>
    public static CounterRng ForRow(ulong seed, int node, long step, RngPurpose purpose, int row, ulong block = 0)
    {
        if (step < 0 || step > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(step), $"step {step} is outside [0, 2^32)");
        if (row < 0 || row >= (1 << 24) - 1)
            throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside [0, 2^24 − 1)");
        if ((uint)purpose > 0xFF) throw new ArgumentOutOfRangeException(nameof(purpose), $"purpose {purpose} does not fit 8 bits");
        if (block > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(block), $"block {block} is outside the step's 2^32 blocks");
        ulong stream = ((ulong)(uint)node << 32) | ((uint)(row + 1) << 8) | (uint)purpose;
        return new CounterRng(seed, stream, ((ulong)step << 32) + block);
    }

    /// <summary>Index of the next Philox block to be generated.</summary>
    public readonly ulong Counter => _block;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Refill()
    {
        uint c0 = (uint)_block, c1 = (uint)(_block >> 32), c2 = _s0, c3 = _s1;
        Philox.Block(ref c0, ref c1, ref c2, ref c3, _k0, _k1);
        _r0 = c0; _r1 = c1; _r2 = c2; _r3 = c3;
        _block++;
        _used = 0;
    }

    public uint NextUInt()
    {
        if (_used == 4) Refill();
        return _used++ switch
        {
            0 => _r0,
            1 => _r1,
            2 => _r2,
            _ => _r3,
        };
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt() >> 8) * TwoPowMinus24;

    /// <summary>Standard normal (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public float NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        (float z0, float z1) = BoxMuller(NextUInt(), NextUInt());
        _spare = z1;
        _hasSpare = true;
        return z0;
    }

    /// <summary>Fills with uniform values in [lo, hi).</summary>
    public void FillUniform(Span<float> dst, float lo, float hi)
    {
        float scale = (hi - lo) * TwoPowMinus24;
        for (int i = 0; i < dst.Length; i++)
        {
            float v = lo + (NextUInt() >> 8) * scale;
            dst[i] = v < hi ? v : lo; // guard against rounding up to hi
        }
    }

    /// <summary>Fills with normal values N(mean, std²).</summary>
    public void FillNormal(Span<float> dst, float mean, float std)
    {
        int i = 0;
        if (_hasSpare && dst.Length > 0)
        {
            dst[i++] = mean + std * _spare;
            _hasSpare = false;
        }
        for (; i + 1 < dst.Length; i += 2)
        {
            (float z0, float z1) = BoxMuller(NextUInt(), NextUInt());
            dst[i] = mean + std * z0;
            dst[i + 1] = mean + std * z1;
        }
        if (i < dst.Length) dst[i] = mean + std * NextGaussian();
    }

    /// <summary>
    /// Fills <paramref name="dst"/> with standard normals from the next m = dst.Length / 4 blocks (dst.Length a multiple
    /// of 64, see <see cref="NormalBlocks.BlockCount"/>), in the layout and width-independent arithmetic of
    /// <see cref="NormalBlocks"/>; any unused outputs of the current block are discarded. Advances the counter by m.
    /// </summary>
    public void FillNormalBlocks(Span<float> dst)
    {
        NormalBlocks.Fill(_k0, _k1, _s0, _s1, _block, dst);
        _block += (ulong)(dst.Length / 4);
        _used = 4;
        _hasSpare = false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float, float) BoxMuller(uint u, uint v)
    {
        // u1 in (0, 1] so the logarithm is finite; computed in double for an accurate tail.
        double u1 = ((u >> 8) + 1) * (1.0 / 16777216.0);
        double angle = (v >> 8) * (2.0 * Math.PI / 16777216.0);
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        (double s, double c) = Math.SinCos(angle);
        return ((float)(r * c), (float)(r * s));
    }
}
