using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Apical.Actors.Protocol;
using Apical.Actors.Serialization;
using Apical.Core.Model;
using Apical.Core.Numerics;
using Xunit;

namespace Apical.Actors.Tests.Serialization;

public sealed class SerializerTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializerTests() : base(ApicalConfig.With("akka.loglevel = WARNING")) { }

    private static Message Tensor(int rows, int cols, MessageKind kind = MessageKind.Rates)
    {
        var t = new Tensor(rows, cols);
        for (int i = 0; i < t.Length; i++) t.Data[i] = i * 0.25f - 3f;
        t.Data[0] = float.NaN;
        if (t.Length > 1) t.Data[1] = -0f;
        return Message.Create("run-α", 3, kind, Phase.Validation, 42, 99, t);
    }

    [Fact]
    public void Tensor_message_round_trips_bit_for_bit()
    {
        var m = Tensor(5, 7);
        var serializer = Sys.Serialization.FindSerializerFor(m);
        Assert.IsType<TensorMessageSerializer>(serializer);
        var back = (Message)Roundtrip(m);
        Assert.Equal(("run-α", 3, MessageKind.Rates, Phase.Validation, 42L, 99L), (back.RunId, back.Sender, back.Kind, back.Phase, back.Step, back.SegmentEnd));
        Assert.Equal((5, 7), (back.Payload.Rows, back.Payload.Cols));
        Assert.True(m.Payload.ReadOnlySpan.ToArray().Select(BitConverter.SingleToInt32Bits)
            .SequenceEqual(back.Payload.ReadOnlySpan.ToArray().Select(BitConverter.SingleToInt32Bits)));
        back.Release(); // unpooled, one reference
    }

    [Fact]
    public void Pooled_message_with_fewer_rows_than_capacity_serializes_only_its_rows()
    {
        var pool = new MessagePool(8, 3);
        var m = pool.Rent(2);
        m.Payload.Span.Fill(1.5f);
        var bytes = Sys.Serialization.FindSerializerFor(m).ToBinary(m);
        Assert.Equal(40 + 2 * 3 * 4, bytes.Length); // header, empty run id, 2 x 3 floats
        var back = (Message)Roundtrip(m);
        Assert.Equal(2, back.Payload.Rows);
        Assert.All(back.Payload.ReadOnlySpan.ToArray(), v => Assert.Equal(1.5f, v));
    }

    [Fact]
    public void Tensor_envelope_round_trips()
    {
        var e = new TensorEnvelope(2, 5, "spread", Tensor(1, 4, MessageKind.Feedback));
        var back = (TensorEnvelope)Roundtrip(e);
        Assert.Equal((2, 5, "spread"), (back.NodeId, back.NodeCount, back.Placement));
        Assert.Equal(MessageKind.Feedback, back.Message.Kind);
        Assert.Equal(4, back.Message.Payload.Cols);
    }

    public static IEnumerable<object[]> ControlMessages()
    {
        var blueprint = new RunBlueprint("{\"name\":\"x\"}", 6, 3, true);
        yield return new object[] { new StartLayer("r1", 2, blueprint, ActorRefs.Nobody) };
        yield return new object[] { new LayerStarted("r1", 2, ActorRefs.Nobody) };
        yield return new object[] { new ConnectLayer("r1", new IActorRef[] { ActorRefs.Nobody, ActorRefs.Nobody }, null, "colocate") };
        yield return new object[] { new LayerConnected("r1", 2) };
        yield return new object[] { new AwaitStep("r1", Phase.Test, 17) };
        yield return new object[] { new StepReached("r1", 4, Phase.Train, 17, 0, 0.5, double.NaN) };
        yield return new object[] { new TakeLoss("r1", Phase.Validation) };
        yield return new object[] { new LossTaken("r1", Phase.Validation, 1.25, 0.75, 80) };
        yield return new object[] { new GetParameters("r1") };
        yield return new object[] { new ParameterSet("r1", 1, new[] { "W", "b" }, new[] { 2, 1 }, new[] { 2, 2 }, new[] { new[] { 1f, 2, 3, 4 }, new[] { 5f, 6 } }) };
        yield return new object[] { new LayerFailed("r1", 3, "diverged") };
        yield return new object[] { new StopLayer("r1") };
        yield return new object[] { new LayerEnvelope("r1", 2, 4, "spread", new AwaitStep("r1", Phase.Train, 3)) };
        yield return new object[] { new CommandNode("r1", new NodeCommand("begin", new[] { 1.0, 7 }, new[] { new TensorData(1, 2, new[] { 3f, 4 }) })) };
        yield return new object[] { new NodeCommandDone("r1", 2, new NodeReply(0.25, double.NaN), null) };
        yield return new object[] { new NodeCommandDone("r1", 2, null, "unknown verb") };
    }

    [Theory]
    [MemberData(nameof(ControlMessages))]
    public void Control_message_round_trips_with_the_control_serializer(object message)
    {
        Assert.IsType<ControlMessageSerializer>(Sys.Serialization.FindSerializerFor(message));
        var back = Roundtrip(message);
        Assert.Equal(message.GetType(), back.GetType());
        switch (message)
        {
            case ParameterSet p:
                var q = (ParameterSet)back;
                Assert.Equal(p.Names, q.Names);
                Assert.Equal(p.Rows, q.Rows);
                Assert.Equal(p.Values[1], q.Values[1]);
                break;
            case ConnectLayer c:
                var d = (ConnectLayer)back;
                Assert.Equal(c.Nodes.Length, d.Nodes.Length);
                Assert.Null(d.Region);
                Assert.Equal(c.Placement, d.Placement);
                break;
            case LayerEnvelope le:
                Assert.Equal(le.Message, ((LayerEnvelope)back).Message);
                break;
            case CommandNode c:
                var cb = ((CommandNode)back).Command;
                Assert.Equal(c.Command.Verb, cb.Verb);
                Assert.Equal(c.Command.Numbers, cb.Numbers);
                Assert.Equal(c.Command.Tensors[0].Values, cb.Tensors[0].Values);
                Assert.Equal(c.Command.Tensors[0].Cols, cb.Tensors[0].Cols);
                break;
            case NodeCommandDone { Reply: { } r } nd:
                var rb = (NodeCommandDone)back;
                Assert.Equal(nd.NodeId, rb.NodeId);
                Assert.Equal(r.Numbers, rb.Reply!.Numbers);
                break;
            case StepReached s:
                Assert.Equal(s.Step, ((StepReached)back).Step);
                Assert.True(double.IsNaN(((StepReached)back).Accuracy));
                break;
            default:
                Assert.Equal(message, back); // records compare by value (actor refs by path)
                break;
        }
    }

    [Fact]
    public void Actor_refs_travel_as_paths_and_resolve_to_the_same_actor()
    {
        var probe = CreateTestProbe();
        var back = (LayerStarted)Roundtrip(new LayerStarted("r1", 1, probe.Ref));
        Assert.Equal(probe.Ref.Path, back.Layer.Path);
        back.Layer.Tell("ping");
        probe.ExpectMsg("ping");
    }

    [Fact]
    public void Every_project_message_type_is_bound_to_a_project_serializer()
    {
        var types = typeof(IControlMessage).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(IControlMessage).Namespace && t.IsClass && !t.IsAbstract && t != typeof(RunBlueprint)
                        && !t.Name.Contains('<') && !typeof(Delegate).IsAssignableFrom(t) && t.IsPublic)
            .Append(typeof(Message))
            .ToList();
        Assert.True(types.Count >= 15, $"only {types.Count} message types found");
        foreach (var t in types)
        {
            var serializer = Sys.Serialization.FindSerializerForType(t);
            Assert.True(serializer is TensorMessageSerializer or ControlMessageSerializer,
                $"{t.Name} would be carried by {serializer.GetType().Name}");
        }
    }

    [Fact]
    public void Control_serializer_refuses_foreign_types()
    {
        var serializer = new ControlMessageSerializer((ExtendedActorSystem)Sys);
        var e = Assert.Throws<ArgumentException>(() => serializer.ToBinary(new List<int> { 1 }));
        Assert.Contains("only writes the project's control messages", e.Message);
    }

    public static IEnumerable<object[]> MalformedTensorBytes()
    {
        var good = new TensorMessageSerializer(null!).ToBinary(Tensor(2, 3));
        yield return new object[] { Array.Empty<byte>(), "shorter than" };
        yield return new object[] { good[..20], "shorter than" };
        var magic = (byte[])good.Clone(); magic[0] ^= 0xFF;
        yield return new object[] { magic, "bad magic" };
        var version = (byte[])good.Clone(); version[4] = 9;
        yield return new object[] { version, "unsupported version" };
        var kind = (byte[])good.Clone(); kind[5] = 200;
        yield return new object[] { kind, "unknown message kind" };
        var phase = (byte[])good.Clone(); phase[6] = 7;
        yield return new object[] { phase, "unknown phase" };
        var rows = (byte[])good.Clone(); rows[8] = 3;
        yield return new object[] { rows, "do not match" };
        var negative = (byte[])good.Clone(); negative[15] = 0x80;
        yield return new object[] { negative, "negative shape" };
        yield return new object[] { good[..^4], "do not match" };
        var name = (byte[])good.Clone(); name[39] = 0x7F;
        yield return new object[] { name, "run-id length" };
        var utf8 = (byte[])good.Clone(); utf8[40] = 0xFF;
        yield return new object[] { utf8, "UTF-8" };
    }

    [Theory]
    [MemberData(nameof(MalformedTensorBytes))]
    public void Malformed_tensor_bytes_are_rejected_with_the_problem(byte[] bytes, string problem)
    {
        var serializer = new TensorMessageSerializer((ExtendedActorSystem)Sys);
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, TensorMessageSerializer.MessageManifest));
        Assert.Contains(problem, e.Message);
        Assert.Contains("malformed tensor message", e.Message);
    }

    [Fact]
    public void Unknown_tensor_manifest_and_bad_envelope_are_rejected()
    {
        var serializer = new TensorMessageSerializer((ExtendedActorSystem)Sys);
        Assert.Contains("unknown manifest", Assert.Throws<SerializationException>(() => serializer.FromBinary(new byte[8], "Q")).Message);
        var env = serializer.ToBinary(new TensorEnvelope(1, 3, "colocate", Tensor(1, 1)));
        env[8] = 9; // node 9 of 3
        Assert.Contains("out of range", Assert.Throws<SerializationException>(() => serializer.FromBinary(env, TensorMessageSerializer.EnvelopeManifest)).Message);
    }

    public static IEnumerable<object[]> MalformedControlBytes()
    {
        yield return new object[] { Array.Empty<byte>() };
        yield return new object[] { new byte[] { 0xFF, 0xFE, 0x00, 0x12, 0x34 } };
        yield return new object[] { Enumerable.Range(0, 64).Select(i => (byte)(i * 37)).ToArray() };
    }

    [Theory]
    [MemberData(nameof(MalformedControlBytes))]
    public void Malformed_control_bytes_are_rejected_with_the_problem(byte[] bytes)
    {
        var serializer = new ControlMessageSerializer((ExtendedActorSystem)Sys);
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, null));
        Assert.Contains("malformed control message", e.Message);
    }

    [Fact]
    public void Truncated_control_message_is_rejected()
    {
        var serializer = new ControlMessageSerializer((ExtendedActorSystem)Sys);
        var bytes = serializer.ToBinary(new LayerFailed("run-1", 2, "a reason long enough to cut"));
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..(bytes.Length / 2)], null));
        Assert.Contains("malformed control message", e.Message);
    }

    [Fact]
    public void Control_bytes_naming_a_foreign_type_are_rejected()
    {
        // A Hyperion stream of a type outside the whitelist, written by an unrestricted Hyperion serializer.
        var foreign = new Hyperion.Serializer();
        using var stream = new MemoryStream();
        foreign.Serialize(new Version(1, 2, 3), stream);
        var serializer = new ControlMessageSerializer((ExtendedActorSystem)Sys);
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(stream.ToArray(), null));
        Assert.Contains("malformed control message", e.Message);
    }

    private object Roundtrip(object o)
    {
        var serializer = Sys.Serialization.FindSerializerFor(o);
        var bytes = serializer.ToBinary(o);
        return serializer switch
        {
            SerializerWithStringManifest s => s.FromBinary(bytes, s.Manifest(o)),
            _ => serializer.FromBinary(bytes, o.GetType()),
        };
    }
}
