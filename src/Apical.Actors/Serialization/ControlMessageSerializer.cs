using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Apical.Actors.Protocol;
using Apical.Core.Model;
using Hyperion;

namespace Apical.Actors.Serialization;

/// <summary>
/// Akka serializer of the control plane (coordinator ↔ entities) over Hyperion. Only the project's control
/// messages are accepted, both when writing and when reading (a whitelist of types; Hyperion's unsafe types are
/// disallowed and every type name on the wire passes <see cref="ControlTypeFilter"/>). <see cref="IActorRef"/>s
/// travel as actor paths and are resolved through the receiving system's provider. Malformed bytes are rejected
/// with a <see cref="SerializationException"/> naming the problem.
/// </summary>
public sealed class ControlMessageSerializer : Akka.Serialization.Serializer
{
    public const int SerializerIdentifier = 7302;
    private readonly Hyperion.Serializer _hyperion;

    public ControlMessageSerializer(ExtendedActorSystem system) : base(system)
    {
        var surrogate = Surrogate.Create<IActorRef, ActorRefSurrogate>(
            r => new ActorRefSurrogate(r is Nobody ? "" : Akka.Serialization.Serialization.SerializedActorPath(r)),
            s => s.Resolve(system));
        var options = new SerializerOptions(
            versionTolerance: false,
            preserveObjectReferences: false,
            surrogates: new[] { surrogate },
            serializerFactories: null,
            knownTypes: ControlTypes.Known,
            ignoreISerializable: true,
            packageNameOverrides: null,
            disallowUnsafeTypes: true,
            typeFilter: new ControlTypeFilter());
        _hyperion = new Hyperion.Serializer(options);
    }

    public override int Identifier => SerializerIdentifier;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        if (obj is null || !ControlTypes.IsMessage(obj.GetType()))
            throw new ArgumentException($"the control serializer only writes the project's control messages, not {obj?.GetType().FullName ?? "null"}");
        using var stream = new MemoryStream();
        _hyperion.Serialize(obj, stream);
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, Type? type)
    {
        if (bytes is null || bytes.Length == 0) throw Bad("no bytes");
        object? result;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            result = _hyperion.Deserialize(stream);
        }
        catch (Exception e)
        {
            throw Bad($"{e.GetType().Name}: {e.Message}", e);
        }
        if (result is null || !ControlTypes.IsMessage(result.GetType()))
            throw Bad($"{result?.GetType().FullName ?? "null"} is not a control message");
        return result;
    }

    private static SerializationException Bad(string problem, Exception? inner = null) => new($"malformed control message: {problem}", inner);
}

/// <summary>How an <see cref="IActorRef"/> travels: its full path, resolved on arrival.</summary>
public sealed class ActorRefSurrogate
{
    public ActorRefSurrogate(string path) => Path = path;

    public string Path { get; }

    public IActorRef Resolve(ActorSystem system)
        => string.IsNullOrEmpty(Path) ? ActorRefs.Nobody : ((ExtendedActorSystem)system).Provider.ResolveActorRef(Path);
}

/// <summary>The control-plane types: the messages themselves and what they contain.</summary>
internal static class ControlTypes
{
    private static readonly Type[] Messages =
    {
        typeof(StartLayer), typeof(LayerStarted), typeof(ConnectLayer), typeof(LayerConnected), typeof(AwaitStep),
        typeof(StepReached), typeof(TakeLoss), typeof(LossTaken), typeof(GetParameters), typeof(ParameterSet),
        typeof(LayerFailed), typeof(StopLayer), typeof(LayerEnvelope),
    };

    /// <summary>The messages of continuous-time runs (lockstep driver, free running, link statistics).</summary>
    private static readonly Type[] ContinuousMessages =
    {
        typeof(LockstepStart), typeof(StepProgress), typeof(FlushWindows), typeof(FreeRun), typeof(FreeRunDone),
        typeof(GetLinkStatistics), typeof(LinkStatisticsReport),
    };

    /// <summary>The messages that capture and restore checkpoints.</summary>
    private static readonly Type[] CheckpointMessages =
    {
        typeof(GetCheckpoint), typeof(CheckpointData), typeof(RestoreCheckpoint), typeof(CheckpointRestored),
    };

    /// <summary>Commands to a node between its firings (batch boundaries, learning rates, metric queries).</summary>
    private static readonly Type[] CommandMessages =
    {
        typeof(CommandNode), typeof(NodeCommandDone), typeof(NodeCommand), typeof(NodeReply), typeof(TensorData), typeof(TensorData[]),
    };

    /// <summary>Known to Hyperion (written as small indexes, not names). The order is part of the wire format:
    /// new types are appended.</summary>
    public static readonly Type[] Known = Messages.Concat(new[]
    {
        typeof(RunBlueprint), typeof(Phase), typeof(IActorRef[]), typeof(string[]),
        typeof(int[]), typeof(float[]), typeof(float[][]),
    }).Concat(ContinuousMessages).Concat(new[] { typeof(long[]), typeof(double[]) })
      .Concat(CheckpointMessages).Concat(new[] { typeof(byte[]) }).Concat(CommandMessages).ToArray();

    private static readonly HashSet<Type> MessageSet = new(Messages.Concat(ContinuousMessages).Concat(CheckpointMessages)
        .Concat(new[] { typeof(CommandNode), typeof(NodeCommandDone) }));

    /// <summary>Full names of every type allowed on the wire.</summary>
    public static readonly HashSet<string> AllowedNames = new(Known.Select(t => t.FullName!).Concat(new[]
    {
        typeof(ActorRefSurrogate).FullName!, // not a known type: Hyperion applies surrogates only to named types
        "System.String", "System.Int32", "System.Int64", "System.Double", "System.Single", "System.Boolean", "System.Byte",
    }), StringComparer.Ordinal);

    public static bool IsMessage(Type t) => MessageSet.Contains(t);
}

/// <summary>Lets Hyperion load only the control-plane types named in <see cref="ControlTypes"/>.</summary>
internal sealed class ControlTypeFilter : ITypeFilter
{
    public bool IsAllowed(string typeName)
    {
        if (string.IsNullOrEmpty(typeName)) return false;
        // "Full.Name, Assembly, Version=..." → "Full.Name"; generic or nested-assembly names never pass.
        int comma = typeName.IndexOf(',');
        string name = comma < 0 ? typeName : typeName[..comma];
        return name.IndexOf('[') < 0 || name.EndsWith("[]", StringComparison.Ordinal)
            ? ControlTypes.AllowedNames.Contains(name.Trim())
            : false;
    }
}
