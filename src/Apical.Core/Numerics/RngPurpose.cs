namespace Apical.Core.Numerics;

/// <summary>What a random stream is used for; part of the stream id in <see cref="CounterRng.For"/>.</summary>
public enum RngPurpose
{
    Init = 0,
    Shuffle = 1,
    Noise = 2,
    Dropout = 3,
    Jitter = 4,
    Loss = 5,
    Data = 6,
}
