using System.Text;

namespace Apical.Core.Checkpoints;

/// <summary>
/// Writes one node's checkpoint file: a header (magic, version, node id and name) then named entries — float32
/// tensors stored raw little-endian, and 64-bit counters. The file is written under a temporary name and moved
/// into place when complete, so a checkpoint on disk is never half-written.
/// </summary>
public sealed class CheckpointWriter : IDisposable
{
    internal const ulong Magic = 0x3130_5450_4B43_5041; // "APCKPT01" little-endian
    internal const byte TensorEntry = 1, CounterEntry = 2, EndEntry = 0xFF;

    private readonly string? _path;
    private readonly string? _temporary;
    private readonly BinaryWriter _writer;
    private bool _committed;

    /// <summary>Writes the checkpoint file <paramref name="path"/> (under a temporary name until <see cref="Commit"/>).</summary>
    public CheckpointWriter(string path, int nodeId, string nodeName)
        : this(new FileStream(path + ".partial", FileMode.Create, FileAccess.Write), nodeId, nodeName)
    {
        _path = path;
        _temporary = path + ".partial";
    }

    /// <summary>Writes a checkpoint into <paramref name="stream"/> (e.g. to send it to the node that stores it);
    /// <see cref="Commit"/> finishes it and leaves the stream open.</summary>
    public CheckpointWriter(Stream stream, int nodeId, string nodeName)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoints are little-endian");
        _writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        _writer.Write(Magic);
        _writer.Write(nodeId);
        _writer.Write(nodeName);
    }

    public void Tensor(string name, Tensor tensor) => Floats(name, tensor.Rows, tensor.Cols, tensor.ReadOnlySpan);

    public void Floats(string name, int rows, int cols, ReadOnlySpan<float> values)
    {
        if (values.Length != rows * cols) throw new ArgumentException($"{name}: {values.Length} values for {rows}x{cols}");
        _writer.Write(TensorEntry);
        _writer.Write(name);
        _writer.Write(rows);
        _writer.Write(cols);
        _writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    public void Counter(string name, long value)
    {
        _writer.Write(CounterEntry);
        _writer.Write(name);
        _writer.Write(value);
    }

    /// <summary>Finishes the checkpoint; a file is moved into place.</summary>
    public void Commit()
    {
        _writer.Write(EndEntry);
        _writer.Flush();
        var stream = _writer.BaseStream;
        _writer.Dispose();
        if (_path is not null)
        {
            ((FileStream)stream).Flush(flushToDisk: true);
            stream.Dispose();
            File.Move(_temporary!, _path, overwrite: true);
        }
        _committed = true;
    }

    /// <summary>Writes a node's whole checkpoint to bytes.</summary>
    public static byte[] ToBytes(ICheckpointable node, int nodeId, string nodeName)
    {
        using var buffer = new MemoryStream();
        using (var w = new CheckpointWriter(buffer, nodeId, nodeName))
        {
            node.Save(w);
            w.Commit();
        }
        return buffer.ToArray();
    }

    public void Dispose()
    {
        if (_committed) return;
        var stream = _writer.BaseStream;
        _writer.Dispose();
        if (_temporary is null) return;
        stream.Dispose();
        try { File.Delete(_temporary); } catch (IOException) { }
    }
}
