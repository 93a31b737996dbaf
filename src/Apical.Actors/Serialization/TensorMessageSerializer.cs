using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Apical.Actors.Protocol;
using Apical.Core.Model;
using Apical.Core.Numerics;

namespace Apical.Actors.Serialization;

/// <summary>
/// Binary serializer of tensor messages: a small little-endian header and the raw float32 payload copied in one
/// block. A <see cref="Message"/> is written as
/// <c>magic "APT" · version · kind · phase · rows · cols · sender · step · segment end · run-id length · run id · payload</c>;
/// a <see cref="TensorEnvelope"/> (the shard-region route) prefixes it with
/// <c>magic "APE" · version · node · node count · placement length · placement</c>; a <see cref="MessageWindow"/>
/// (consecutive steps of a link) is <c>magic "APW" · version · count</c> then each message with its length. Malformed bytes are rejected
/// with a <see cref="SerializationException"/> naming the problem. A deserialized message is unpooled and owns
/// one reference.
/// </summary>
public sealed class TensorMessageSerializer : SerializerWithStringManifest
{
    public const int SerializerIdentifier = 7301;
    public const string MessageManifest = "M";
    public const string EnvelopeManifest = "E";
    public const string WindowManifest = "W";
    private const uint MessageMagic = 0x31545041;  // "APT1" read as little-endian
    private const uint EnvelopeMagic = 0x31455041; // "APE1"
    private const uint WindowMagic = 0x31575041;   // "APW1"
    private const int MaxWindow = 1 << 16;
    private const byte Version = 1;
    private const int HeaderSize = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4; // magic, version/kind/phase/reserved, rows, cols, sender, step, segment end, run-id length
    private const int MaxNameBytes = 1024;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public TensorMessageSerializer(ExtendedActorSystem system) : base(system)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the tensor serializer writes raw little-endian float32 and needs a little-endian machine");
    }

    public override int Identifier => SerializerIdentifier;

    public override string Manifest(object o) => o switch
    {
        Message => MessageManifest,
        TensorEnvelope => EnvelopeManifest,
        MessageWindow => WindowManifest,
        _ => throw new ArgumentException($"the tensor serializer cannot write {o?.GetType().FullName ?? "null"}"),
    };

    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case Message m:
            {
                var bytes = new byte[MessageSize(m)];
                WriteMessage(m, bytes);
                return bytes;
            }
            case TensorEnvelope e:
            {
                int placement = Utf8.GetByteCount(e.Placement);
                int prefix = 4 + 4 + 4 + 4 + 4 + placement;
                var bytes = new byte[prefix + MessageSize(e.Message)];
                var span = bytes.AsSpan();
                BinaryPrimitives.WriteUInt32LittleEndian(span, EnvelopeMagic);
                BinaryPrimitives.WriteInt32LittleEndian(span[4..], Version);
                BinaryPrimitives.WriteInt32LittleEndian(span[8..], e.NodeId);
                BinaryPrimitives.WriteInt32LittleEndian(span[12..], e.NodeCount);
                BinaryPrimitives.WriteInt32LittleEndian(span[16..], placement);
                Utf8.GetBytes(e.Placement, span.Slice(20, placement));
                WriteMessage(e.Message, span[prefix..]);
                return bytes;
            }
            case MessageWindow w:
                return WriteWindow(w);
            default:
                throw new ArgumentException($"the tensor serializer cannot write {obj?.GetType().FullName ?? "null"}");
        }
    }

    // magic "APW" · version · count · (length · message)*count
    private static byte[] WriteWindow(MessageWindow w)
    {
        var messages = w.Messages;
        if (messages.Length == 0 || messages.Length > MaxWindow)
            throw new ArgumentException($"a window holds 1 … {MaxWindow} messages, not {messages.Length}");
        long size = 12;
        for (int i = 0; i < messages.Length; i++) size += 4 + MessageSize(messages[i]);
        if (size > int.MaxValue) throw new ArgumentException($"{w} is too large to serialize");
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, WindowMagic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], messages.Length);
        int at = 12;
        for (int i = 0; i < messages.Length; i++)
        {
            int length = MessageSize(messages[i]);
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], length);
            WriteMessage(messages[i], span.Slice(at + 4, length));
            at += 4 + length;
        }
        return bytes;
    }

    private static MessageWindow ReadWindow(ReadOnlySpan<byte> span)
    {
        if (span.Length < 12) throw Bad($"{span.Length} bytes are shorter than the 12-byte window header");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (magic != WindowMagic) throw Bad($"bad magic 0x{magic:x8}; not a tensor window");
        int version = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (version != Version) throw Bad($"unsupported window version {version}");
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (count < 1 || count > MaxWindow) throw Bad($"window count {count} out of range 1..{MaxWindow}");
        var messages = new Message[count];
        int at = 12;
        for (int i = 0; i < count; i++)
        {
            int length = at + 4 <= span.Length ? BinaryPrimitives.ReadInt32LittleEndian(span[at..]) : -1;
            if (length < HeaderSize || (long)at + 4 + length > span.Length)
                throw Bad($"window message {i} of {count}: length {length} does not fit the {span.Length - at - 4} bytes left");
            messages[i] = ReadMessage(span.Slice(at + 4, length));
            at += 4 + length;
        }
        if (at != span.Length) throw Bad($"{span.Length - at} bytes left over after a window of {count} messages");
        return new MessageWindow(messages);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (bytes is null) throw Bad("no bytes");
        return manifest switch
        {
            MessageManifest => ReadMessage(bytes),
            EnvelopeManifest => ReadEnvelope(bytes),
            WindowManifest => ReadWindow(bytes),
            _ => throw Bad($"unknown manifest '{manifest}'"),
        };
    }

    private static int MessageSize(Message m)
    {
        long size = HeaderSize + (long)Utf8.GetByteCount(m.RunId) + (long)m.Payload.Length * sizeof(float);
        if (size > int.MaxValue) throw new ArgumentException($"{m} is too large to serialize");
        return (int)size;
    }

    private static void WriteMessage(Message m, Span<byte> span)
    {
        var payload = m.Payload;
        BinaryPrimitives.WriteUInt32LittleEndian(span, MessageMagic);
        span[4] = Version;
        span[5] = (byte)m.Kind;
        span[6] = (byte)m.Phase;
        span[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], payload.Rows);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], payload.Cols);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], m.Sender);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], m.Step);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], m.SegmentEnd);
        int nameBytes = Utf8.GetBytes(m.RunId, span[(HeaderSize)..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[36..], nameBytes);
        MemoryMarshal.AsBytes(payload.ReadOnlySpan).CopyTo(span[(HeaderSize + nameBytes)..]);
    }

    private static Message ReadMessage(ReadOnlySpan<byte> span)
    {
        if (span.Length < HeaderSize) throw Bad($"{span.Length} bytes are shorter than the {HeaderSize}-byte header");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (magic != MessageMagic) throw Bad($"bad magic 0x{magic:x8}; not a tensor message");
        if (span[4] != Version) throw Bad($"unsupported version {span[4]} (this node reads version {Version})");
        byte kind = span[5], phase = span[6];
        if (kind > (byte)MessageKind.Output) throw Bad($"unknown message kind {kind}");
        if (phase > (byte)Phase.Test) throw Bad($"unknown phase {phase}");
        int rows = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        int cols = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        int sender = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        long step = BinaryPrimitives.ReadInt64LittleEndian(span[20..]);
        long segmentEnd = BinaryPrimitives.ReadInt64LittleEndian(span[28..]);
        int nameBytes = BinaryPrimitives.ReadInt32LittleEndian(span[36..]);
        if (rows < 0 || cols < 0) throw Bad($"negative shape {rows} x {cols}");
        if (sender < 0) throw Bad($"negative sender {sender}");
        if (nameBytes < 0 || nameBytes > MaxNameBytes) throw Bad($"run-id length {nameBytes} out of range 0..{MaxNameBytes}");
        long expected = HeaderSize + (long)nameBytes + (long)rows * cols * sizeof(float);
        if (expected != span.Length)
            throw Bad($"{span.Length} bytes do not match a {rows} x {cols} float32 payload with a {nameBytes}-byte run id ({expected} bytes expected)");
        string runId;
        try
        {
            runId = Utf8.GetString(span.Slice(HeaderSize, nameBytes));
        }
        catch (DecoderFallbackException e)
        {
            throw Bad($"run id is not valid UTF-8 ({e.Message})");
        }
        var tensor = new Tensor(rows, cols);
        span[(HeaderSize + nameBytes)..].CopyTo(MemoryMarshal.AsBytes(tensor.Span));
        return Message.Create(runId, sender, (MessageKind)kind, (Phase)phase, step, segmentEnd, tensor);
    }

    private static TensorEnvelope ReadEnvelope(ReadOnlySpan<byte> span)
    {
        if (span.Length < 20) throw Bad($"{span.Length} bytes are shorter than the 20-byte envelope header");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (magic != EnvelopeMagic) throw Bad($"bad magic 0x{magic:x8}; not a tensor envelope");
        int version = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (version != Version) throw Bad($"unsupported envelope version {version}");
        int node = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        int placementBytes = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        if (count <= 0 || node < 0 || node >= count) throw Bad($"node {node} of {count} is out of range");
        if (placementBytes < 0 || placementBytes > MaxNameBytes || 20 + placementBytes > span.Length)
            throw Bad($"placement length {placementBytes} does not fit {span.Length} bytes");
        string placement;
        try
        {
            placement = Utf8.GetString(span.Slice(20, placementBytes));
        }
        catch (DecoderFallbackException e)
        {
            throw Bad($"placement is not valid UTF-8 ({e.Message})");
        }
        return new TensorEnvelope(node, count, placement, ReadMessage(span[(20 + placementBytes)..]));
    }

    private static SerializationException Bad(string problem) => new($"malformed tensor message: {problem}");
}
