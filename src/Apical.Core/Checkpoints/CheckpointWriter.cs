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

    private readonly string _path;
    private readonly string _temporary;
    private readonly BinaryWriter _writer;
    private bool _committed;

    public CheckpointWriter(string path, int nodeId, string nodeName)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoints are little-endian");
        _path = path;
        _temporary = path + ".partial";
        _writer = new BinaryWriter(new FileStream(_temporary, FileMode.Create, FileAccess.Write), Encoding.UTF8);
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

    /// <summary>Finishes the file and moves it into place.</summary>
    public void Commit()
    {
        _writer.Write(EndEntry);
        _writer.Flush();
        ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
        _writer.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        _writer.Dispose();
        try { File.Delete(_temporary); } catch (IOException) { }
    }
}
