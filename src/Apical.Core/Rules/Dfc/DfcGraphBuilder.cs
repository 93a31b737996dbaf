using Apical.Core.Model;

namespace Apical.Core.Rules.Dfc;

/// <summary>The graph builder of <c>dfc</c> and <c>strong-dfc</c> runs (what every actor entity builds). The forward
/// rule keeps its chunk GEMMs on the entity's own thread: under the Jacobi schedule the layer entities already run on
/// every core at once, so a second thread per layer adds no compute, only hand-over cost (measured in the DFC section
/// of tests/Apical.Benchmarks/RESULTS.md: equal or more CPU per sample). In-process, where the whole network runs on
/// one thread, the worker uses the otherwise idle core. <paramref name="forwardWorkers"/> turns the threads on.</summary>
public sealed class DfcGraphBuilder(bool forwardWorkers = false) : IGraphBuilder
{
    public Topology Build(RunConfig config, GraphShape shape) => DfcNetwork.FromConfig(config, shape.InputWidth, forwardWorkers).Topology;
}
