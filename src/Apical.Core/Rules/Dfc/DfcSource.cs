using Apical.Core.Model;

namespace Apical.Core.Rules.Dfc;

/// <summary>Node 0 of a DFC graph: the run's coordinator, which feeds the network through commands (x to layer 1 with
/// the settle, r_L^- and the labels to the controller with the batch start) rather than through links.</summary>
public sealed class DfcSource : INode
{
    public int Id => 0;
    public string Name => "source";
    public IReadOnlyList<InputPort> Inputs => Array.Empty<InputPort>();
    public IReadOnlyList<OutputPort> Outputs => Array.Empty<OutputPort>();
    public Schedule Schedule => Schedule.Source;

    public void Fire(int trigger, Phase phase, long step, ReadOnlySpan<Message?> inputs, IOutbox outbox) =>
        throw new InvalidOperationException("the DFC source is the coordinator; it never fires");
}
