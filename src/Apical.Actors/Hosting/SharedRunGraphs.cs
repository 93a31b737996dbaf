using Apical.Actors.Protocol;
using Apical.Core.Model;

namespace Apical.Actors.Hosting;

/// <summary>
/// One built graph per run and process, lent node by node to the run's entities in that process. A graph holds every
/// node's weights and buffers; each entity hosts one node of it, so building the graph per entity cost its memory
/// once per hosted node (for DFC on MNIST about five times the network, for GLE about 27 MB per entity). Now the
/// entities of a run in one process share one graph, each using only the node it was lent.
/// <para>
/// A node is lent once: an entity that starts again for a node already lent (after a failure or a restart) gets
/// the node of a freshly built graph, exactly as before, so it never inherits a used node's state. Nodes that were
/// never lent are as built (initialised from the seed), so the results do not depend on how entities share.
/// The graph is dropped when the last entity that borrowed from it has stopped. The key is the run id together
/// with its blueprint, so a run id reused for another config never gets the other config's nodes.
/// </para>
/// </summary>
internal static class SharedRunGraphs
{
    private sealed class Entry(Topology topology)
    {
        public Topology Topology { get; } = topology;
        public bool[] Lent { get; } = new bool[topology.Nodes.Count];
        public int Holders { get; set; }
    }

    private static readonly object Gate = new();
    private static readonly Dictionary<(string RunId, RunBlueprint Blueprint), Entry> Entries = new();

    /// <summary>The graph whose node <paramref name="nodeId"/> the caller may host: the run's shared graph, or a graph of
    /// its own when that node is already lent. Hand it back with <see cref="Return"/> when the entity stops.</summary>
    public static Topology Take(string runId, RunBlueprint blueprint, int nodeId, Func<Topology> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        lock (Gate)
        {
            var key = (runId, blueprint);
            if (!Entries.TryGetValue(key, out var entry))
            {
                entry = new Entry(build());
                Entries[key] = entry;
            }
            if ((uint)nodeId >= (uint)entry.Lent.Length || entry.Topology.Nodes[nodeId].Schedule.Kind == ScheduleKind.Source)
            {
                if (entry.Holders == 0) Entries.Remove(key);
                return entry.Topology; // no hostable node: the caller rejects the id, nothing is lent
            }
            if (entry.Lent[nodeId]) return build();
            entry.Lent[nodeId] = true;
            entry.Holders++;
            return entry.Topology;
        }
    }

    /// <summary>The entity hosting a node of <paramref name="topology"/> has stopped. A graph of its own is simply dropped.</summary>
    public static void Return(string runId, RunBlueprint blueprint, Topology topology)
    {
        lock (Gate)
        {
            var key = (runId, blueprint);
            if (!Entries.TryGetValue(key, out var entry) || !ReferenceEquals(entry.Topology, topology)) return;
            if (--entry.Holders <= 0) Entries.Remove(key);
        }
    }

    /// <summary>Whether this process holds a shared graph of run <paramref name="runId"/> (tests and diagnostics).</summary>
    public static bool Holds(string runId)
    {
        lock (Gate)
        {
            foreach (var key in Entries.Keys)
                if (key.RunId == runId) return true;
            return false;
        }
    }
}
