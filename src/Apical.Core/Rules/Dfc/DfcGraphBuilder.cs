using Apical.Core.Model;

namespace Apical.Core.Rules.Dfc;

/// <summary>The graph builder of <c>dfc</c> and <c>strong-dfc</c> runs (what every actor entity builds). The forward
/// rule keeps its GEMMs on the entity's own thread: with the Jacobi schedule the layer entities already run on
/// every core at once, and a second thread per layer would only compete with them (measured in the DFC section of
/// tests/Apical.Benchmarks/RESULTS.md; <paramref name="forwardWorkers"/> turns the threads on).</summary>
public sealed class DfcGraphBuilder(bool forwardWorkers = false) : IGraphBuilder
{
    public Topology Build(RunConfig config, GraphShape shape) => DfcNetwork.FromConfig(config, shape.InputWidth, forwardWorkers).Topology;
}
