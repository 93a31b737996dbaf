using System.Runtime.InteropServices;
using System.Text;

namespace Apical.Core.Checkpoints;

/// <summary>Reads a node's checkpoint file written by <see cref="CheckpointWriter"/>, checking the header, the
/// order, names and shapes of the entries; every problem names the file.</summary>
public sealed class CheckpointReader : IDisposable
{
    private readonly BinaryReader _reader;

    public CheckpointReader(string path, int nodeId, string nodeName)
        : this(OpenFile(path), path, nodeId, nodeName)
    {
    }

    /// <summary>Reads a checkpoint from <paramref name="stream"/>; <paramref name="source"/> names it in errors.</summary>
    public CheckpointReader(Stream stream, string source, int nodeId, string nodeName)
    {
        Path = source;
        _reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (_reader.ReadUInt64() != CheckpointWriter.Magic) throw Fail("not an Apical checkpoint (bad magic number)");
            int id = _reader.ReadInt32();
            string name = _reader.ReadString();
            if (id != nodeId || name != nodeName)
                throw Fail($"holds node {id} '{name}', expected node {nodeId} '{nodeName}'");
        }
        catch (EndOfStreamException)
        {
            throw Fail("truncated header");
        }
    }

    public string Path { get; }

    private static FileStream OpenFile(string path) =>
        File.Exists(path) ? File.OpenRead(path) : throw new CheckpointException(path, "file not found");

    /// <summary>Restores a node's whole checkpoint from bytes written by <see cref="CheckpointWriter.ToBytes"/>.</summary>
    public static void FromBytes(ICheckpointable node, byte[] data, string source, int nodeId, string nodeName)
    {
        using var r = new CheckpointReader(new MemoryStream(data, writable: false), source, nodeId, nodeName);
        node.Load(r);
        r.End();
    }

    /// <summary>Reads the next entry, which must be the tensor <paramref name="name"/> of the given shape, into <paramref name="into"/>.</summary>
    public void Tensor(string name, Tensor into) => Floats(name, into.Rows, into.Cols, into.Span);

    public void Floats(string name, int rows, int cols, Span<float> into)
    {
        Entry(CheckpointWriter.TensorEntry, name);
        int r = _reader.ReadInt32(), c = _reader.ReadInt32();
        if (r != rows || c != cols) throw Fail($"tensor '{name}' is {r}x{c}, expected {rows}x{cols}");
        var bytes = MemoryMarshal.AsBytes(into[..(rows * cols)]);
        if (_reader.Read(bytes) != bytes.Length) throw Fail($"tensor '{name}' is truncated");
    }

    public long Counter(string name)
    {
        Entry(CheckpointWriter.CounterEntry, name);
        return _reader.ReadInt64();
    }

    /// <summary>The name of the next entry, or null at the end (the reader does not move).</summary>
    public string? PeekName()
    {
        var stream = _reader.BaseStream;
        long at = stream.Position;
        try
        {
            byte k = _reader.ReadByte();
            return k == CheckpointWriter.EndEntry ? null : _reader.ReadString();
        }
        catch (EndOfStreamException) { return null; }
        finally { stream.Position = at; }
    }

    /// <summary>Checks that nothing is left after the entries the node read.</summary>
    public void End()
    {
        if (_reader.ReadByte() != CheckpointWriter.EndEntry) throw Fail("holds more entries than the node reads");
    }

    private void Entry(byte kind, string name)
    {
        try
        {
            byte k = _reader.ReadByte();
            if (k == CheckpointWriter.EndEntry) throw Fail($"ends before entry '{name}'");
            string found = _reader.ReadString();
            if (k != kind || found != name) throw Fail($"next entry is '{found}', expected '{name}'");
        }
        catch (EndOfStreamException)
        {
            throw Fail($"truncated before entry '{name}'");
        }
    }

    private CheckpointException Fail(string reason) => new(Path, reason);

    public void Dispose() => _reader.Dispose();
}

/// <summary>A checkpoint that cannot be used: names the file and the reason.</summary>
public sealed class CheckpointException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string FilePath { get; } = path;
}
