namespace Apical.Core.Data.Streams;

/// <summary>A data stream fed one value per row and step; generated on the fly, never materialised.</summary>
public interface IStreamTask
{
    /// <summary>Values per row and step.</summary>
    int Width { get; }

    /// <summary>Rows (minibatch) of every step.</summary>
    int Rows { get; }

    /// <summary>Writes the input of source step <paramref name="step"/> into <paramref name="x"/> (rows × Width).</summary>
    void Fill(long step, Tensor x);
}

public static class StreamTask
{
    /// <summary>The stream tasks have no stored samples: an empty split pair that names the task.</summary>
    public static DataSplits Placeholder(string name)
    {
        var empty = new Dataset(name, new Tensor(0, 1), new Tensor(0, 1), null, 0);
        return new DataSplits(empty, null, empty);
    }

    /// <summary>The input stream of a named task.</summary>
    public static IStreamTask Create(string name, int rows, ulong seed, double dt) => name switch
    {
        DatasetNames.LagLine => new LagLineTask(rows, seed),
        DatasetNames.LagNet => new LagNetTask(dt, rows),
        _ => throw new ArgumentException($"data.name: '{name}' is not a stream task (lagline, lagnet)"),
    };
}
