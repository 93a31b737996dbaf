using Apical.Core.Model;
using Apical.Core.Numerics;
using Apical.Core.Optimization;
using Apical.Core.Rules.Gle;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>An outbox that keeps the last message of each kind a node sent (single-node tests).</summary>
internal sealed class CaptureOutbox : IOutbox
{
    private readonly Dictionary<MessageKind, MessagePool> _pools = new();
    private readonly int _capacity;

    public CaptureOutbox(INode node, int capacity)
    {
        _capacity = capacity;
        foreach (var o in node.Outputs) _pools[o.Kind] = new MessagePool(capacity, o.Width);
    }

    public Dictionary<MessageKind, Message> Last { get; } = new();

    public Message Rent(MessageKind kind, int rows)
    {
        var m = _pools[kind].Rent(rows);
        m.Stamp("t", 0, kind, Phase.Train, -1, long.MaxValue);
        return m;
    }

    public void Send(Message message, Phase phase, long step)
    {
        if (Last.TryGetValue(message.Kind, out var old)) old.Release();
        Last[message.Kind] = message;
    }
}

internal static class GleTestSupport
{
    public static Message Msg(MessageKind kind, Tensor payload, Phase phase = Phase.Train, long step = 0) =>
        Message.Create("t", 0, kind, phase, step, long.MaxValue, payload);

    public static Tensor Normal(int rows, int cols, ref CounterRng rng, float std = 1f)
    {
        var t = new Tensor(rows, cols);
        rng.FillNormal(t.Span, 0f, std);
        return t;
    }

    public static GleLayer Layer(int nIn, int n, int batch, float[] tauM, float[] tauR, float dt, GlePhi phi,
                                 GleErrorSource errors = GleErrorSource.Feedback, bool prospective = true, bool learn = true) =>
        new(new GleLayerOptions
        {
            Id = 1, Name = "l", InSize = nIn, OutSize = n, BatchSize = batch, BatchCapacity = batch,
            ErrorSource = errors, SendFeedback = true, Phi = phi, TauM = tauM, TauR = tauR, Dt = dt,
            ProspectiveErrors = prospective, Learn = learn,
            Optimizer = new OptimizerSpec { Type = OptimizerKind.Sgd, LearningRate = 0.05 },
            Seed = 7,
        });

    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb);
    }
}
