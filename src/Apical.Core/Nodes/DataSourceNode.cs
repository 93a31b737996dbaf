using Apical.Core.Data;
using Apical.Core.Model;

namespace Apical.Core.Nodes;

/// <summary>
/// The data source of a run: emits one minibatch of inputs (to the first layer) and targets (to the loss or
/// controller) when the engine or coordinator asks for it. It has no inputs; its batches come from seeded
/// per-epoch shuffles, so what it sends depends only on the seed.
/// </summary>
public sealed class DataSourceNode : INode
{
    private readonly OutputPort[] _outputs;

    public DataSourceNode(int id, int inputWidth, int targetWidth, int batchSize)
    {
        Id = id;
        BatchSize = batchSize;
        _outputs = new[] { new OutputPort(MessageKind.Input, inputWidth), new OutputPort(MessageKind.Target, targetWidth) };
    }

    public int Id { get; }
    public string Name => "data";
    public int BatchSize { get; }
    public IReadOnlyList<InputPort> Inputs => Array.Empty<InputPort>();
    public IReadOnlyList<OutputPort> Outputs => _outputs;
    public Schedule Schedule => Schedule.Source;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox)
        => throw new InvalidOperationException("the data source is driven through EmitBatch");

    /// <summary>Sends batch <paramref name="batchIndex"/> of <paramref name="batches"/> as step <paramref name="step"/>; returns its row count.</summary>
    public int EmitBatch(BatchIterator batches, int batchIndex, Phase phase, long step, IOutbox outbox)
    {
        var x = outbox.Rent(MessageKind.Input, BatchSize);
        var t = outbox.Rent(MessageKind.Target, BatchSize);
        int rows = batches.Fill(batchIndex, x.Payload, t.Payload);
        outbox.Send(x, phase, step);
        outbox.Send(t, phase, step);
        return rows;
    }
}
