using System.Runtime.Serialization;
using Akka.Serialization;
using Apical.Actors.Protocol;
using Apical.Actors.Serialization;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Xunit;

namespace Apical.Actors.Tests.Serialization;

/// <summary>The window message type (several steps of one link per remote message) on the tensor serializer.</summary>
public sealed class WindowSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    public WindowSerializerTests() : base(ApicalConfig.With("akka.loglevel = WARNING")) { }

    private static MessageWindow Window(int count)
    {
        var messages = new Message[count];
        for (int k = 0; k < count; k++)
        {
            var t = new Tensor(2, 3);
            for (int i = 0; i < t.Length; i++) t.Data[i] = k * 10 + i - 0.5f;
            messages[k] = Message.Create("run-w", 2, MessageKind.Rates, Phase.Train, 30 + k, long.MaxValue, t);
        }
        return new MessageWindow(messages);
    }

    private SerializerWithStringManifest Serializer(object o) =>
        Assert.IsType<TensorMessageSerializer>(Sys.Serialization.FindSerializerFor(o));

    [Fact]
    public void Window_round_trips_bit_for_bit()
    {
        var w = Window(3);
        var s = Serializer(w);
        var back = Assert.IsType<MessageWindow>(s.FromBinary(s.ToBinary(w), s.Manifest(w)));
        Assert.Equal(3, back.Messages.Length);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal((30L + k, 2, "run-w"), (back.Messages[k].Step, back.Messages[k].Sender, back.Messages[k].RunId));
            Assert.Equal(w.Messages[k].Payload.ReadOnlySpan.ToArray(), back.Messages[k].Payload.ReadOnlySpan.ToArray());
        }
    }

    [Fact]
    public void Truncated_padded_or_empty_windows_are_rejected()
    {
        var w = Window(2);
        var s = Serializer(w);
        var bytes = s.ToBinary(w);
        Assert.Contains("does not fit", Assert.Throws<SerializationException>(() => s.FromBinary(bytes[..^4], "W")).Message);
        Assert.Contains("left over", Assert.Throws<SerializationException>(() => s.FromBinary(bytes.Concat(new byte[3]).ToArray(), "W")).Message);
        var empty = (byte[])bytes.Clone();
        BitConverter.GetBytes(0).CopyTo(empty, 8);
        Assert.Contains("out of range", Assert.Throws<SerializationException>(() => s.FromBinary(empty, "W")).Message);
        Assert.Contains("not a tensor window", Assert.Throws<SerializationException>(() => s.FromBinary(new byte[16], "W")).Message);
        Assert.Throws<ArgumentException>(() => s.ToBinary(new MessageWindow(Array.Empty<Message>())));
    }

    [Fact]
    public void Continuous_control_messages_use_the_control_serializer()
    {
        var r = new LinkStatisticsReport("r", 3, new[] { 0 }, new[] { 4L }, new[] { 1L }, new[] { 9L }, new[] { 2.5 }, 7, 21);
        var serializer = Sys.Serialization.FindSerializerFor(r);
        Assert.IsType<ControlMessageSerializer>(serializer);
        var back = Assert.IsType<LinkStatisticsReport>(serializer.FromBinary(serializer.ToBinary(r), typeof(LinkStatisticsReport)));
        Assert.Equal((3, 4L, 2.5, 7L, 21L), (back.NodeId, back.Dropped[0], back.StalenessSum[0], back.WindowsSent, back.WindowedMessages));
        var p = new StepProgress("r", 2, 40);
        Assert.Equal(p, Sys.Serialization.FindSerializerFor(p).FromBinary(Sys.Serialization.FindSerializerFor(p).ToBinary(p), typeof(StepProgress)));
    }
}
