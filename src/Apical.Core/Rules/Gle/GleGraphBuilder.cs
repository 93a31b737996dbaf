using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>The GLE rule's graph (<see cref="GleNetwork.Build(RunConfig, GraphShape)"/>), registered as <c>gle</c>:
/// the in-process engine and every actor entity build the same nodes from the config and the data shape.</summary>
public sealed class GleGraphBuilder : IGraphBuilder
{
    public Topology Build(RunConfig config, GraphShape shape) => GleNetwork.Build(config, shape).Topology;
}
