using Apical.Core.Model;

namespace Apical.Core.Rules.Dfc;

/// <summary>The graph builder of <c>dfc</c> and <c>strong-dfc</c> runs (what every actor entity builds). The forward
/// rule runs its chunk GEMMs on a second thread, as in-process: the lockstep Jacobi step is a barrier across the
/// entities, and the worker fills the gaps it leaves on the cores (measured in the DFC section of
/// tests/Apical.Benchmarks/RESULTS.md: same CPU per sample, shorter wall time). Worker threads start with a layer's
/// first chunk, so the nodes an entity builds but does not host never start one. <paramref name="forwardWorkers"/>
/// false keeps every GEMM on the entity's thread.</summary>
public sealed class DfcGraphBuilder(bool forwardWorkers = true) : IGraphBuilder
{
    public Topology Build(RunConfig config, GraphShape shape) => DfcNetwork.FromConfig(config, shape.InputWidth, forwardWorkers).Topology;
}
