using Apical.Actors.Hosting;
using Apical.Actors.Protocol;
using Apical.Actors.Tests.TestSupport;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.Hosting;

/// <summary>The entities of a run in one process borrow their nodes from one shared graph.</summary>
public sealed class SharedRunGraphsTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly int[] Widths = { 3, 4, 5, 2 }; // source, three leaky layers, readout: four hosted nodes

    public SharedRunGraphsTests() : base(ApicalConfig.With("""
        akka.actor.serialize-messages = off
        akka.loglevel = WARNING
        """)) { }

    private static RunBlueprint Blueprint(ulong seed = 5) =>
        RunBlueprintCodec.Create(ToyLeakyGraph.Config(Widths, 2, 1, seed: seed), 3, 2, false) with { Graph = ToyLeakyGraph.Name };

    [Fact]
    public void Nodes_of_one_run_come_from_one_graph_and_a_node_is_lent_once()
    {
        string run = "shared-" + Guid.NewGuid().ToString("N")[..8];
        var blueprint = Blueprint();
        int builds = 0;
        Topology Build() { builds++; return ToyLeakyGraph.Build(ToyLeakyGraph.Config(Widths, 2, 1)); }

        var first = SharedRunGraphs.Take(run, blueprint, 1, Build);
        var second = SharedRunGraphs.Take(run, blueprint, 2, Build);
        Assert.Same(first, second);
        Assert.Equal(1, builds);

        var again = SharedRunGraphs.Take(run, blueprint, 1, Build); // a restarted entity of node 1: a fresh node
        Assert.NotSame(first, again);
        Assert.Equal(2, builds);

        var other = SharedRunGraphs.Take(run, Blueprint(seed: 6), 1, Build); // same run id, another config
        Assert.NotSame(first, other);
        Assert.Equal(3, builds);

        SharedRunGraphs.Return(run, blueprint, again); // a graph of its own: nothing shared changes
        SharedRunGraphs.Return(run, blueprint, first);
        Assert.True(SharedRunGraphs.Holds(run)); // node 2 still borrowed
        SharedRunGraphs.Return(run, blueprint, second);
        SharedRunGraphs.Return(run, Blueprint(seed: 6), other);
        Assert.False(SharedRunGraphs.Holds(run));
    }

    [Fact]
    public void The_source_is_never_lent()
    {
        string run = "shared-" + Guid.NewGuid().ToString("N")[..8];
        var graph = SharedRunGraphs.Take(run, Blueprint(), 0, () => ToyLeakyGraph.Build(ToyLeakyGraph.Config(Widths, 2, 1)));
        Assert.Equal(ScheduleKind.Source, graph.Nodes[0].Schedule.Kind);
        Assert.False(SharedRunGraphs.Holds(run));
        SharedRunGraphs.Take(run, Blueprint(), 99, () => ToyLeakyGraph.Build(ToyLeakyGraph.Config(Widths, 2, 1)));
        Assert.False(SharedRunGraphs.Holds(run));
    }

    [Fact]
    public void A_run_on_local_actors_builds_its_graph_twice_not_once_per_entity()
    {
        CountingGraph.Register();
        var config = ToyLeakyGraph.Config(Widths, 2, 2, seed: 41);
        string run = "counted-" + Guid.NewGuid().ToString("N")[..8];
        int before = CountingGraph.BuildsOf(config.Seed);
        var options = new ContinuousRunOptions { Graph = CountingGraph.Name, RunId = run };
        ContinuousComparison.AssertSameAsInProcess(Sys, new LocalLayerHost(Sys), config, 30, options, _ =>
        {
            // the coordinator's graph and one graph shared by the four entities (it was one per entity)
            Assert.Equal(2, CountingGraph.BuildsOf(config.Seed) - before);
            Assert.True(SharedRunGraphs.Holds(run));
        });
        AwaitCondition(() => !SharedRunGraphs.Holds(run), TimeSpan.FromSeconds(10)); // dropped once the entities stop
    }

    /// <summary>The toy graph under another name, counting its builds per seed (tests of other classes may build it too).</summary>
    private sealed class CountingGraph : IGraphBuilder
    {
        public const string Name = "toy-leaky-counted";
        private static readonly object Gate = new();
        private static readonly Dictionary<ulong, int> Builds = new();
        private static bool _registered;

        public static void Register()
        {
            lock (Gate)
            {
                if (_registered) return;
                GraphBuilders.Register(Name, new CountingGraph());
                _registered = true;
            }
        }

        public static int BuildsOf(ulong seed)
        {
            lock (Gate) return Builds.GetValueOrDefault(seed);
        }

        public Topology Build(RunConfig config, GraphShape shape)
        {
            lock (Gate) Builds[config.Seed] = Builds.GetValueOrDefault(config.Seed) + 1;
            return ToyLeakyGraph.Build(config);
        }
    }
}
