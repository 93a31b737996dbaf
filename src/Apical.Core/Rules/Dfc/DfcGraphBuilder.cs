using Apical.Core.Model;

namespace Apical.Core.Rules.Dfc;

/// <summary>The graph builder of <c>dfc</c> and <c>strong-dfc</c> runs (what every actor entity builds). The forward
/// rule keeps its GEMMs on the entity's own thread: with the Jacobi schedule the layer entities already run on
/// every core at once, and a second thread per layer would only compete with them.</summary>
public sealed class DfcGraphBuilder : IGraphBuilder
{
    public Topology Build(RunConfig config, GraphShape shape) => DfcNetwork.FromConfig(config, shape.InputWidth, forwardWorkers: false).Topology;
}
