namespace Apical.Core.Model;

/// <summary>The graph of a run: nodes (indexed by their id) and the links between their ports.</summary>
public sealed class Topology
{
    private readonly Link[][] _linksFrom;
    private readonly Link[][] _linksInto;

    public Topology(IReadOnlyList<INode> nodes, IReadOnlyList<Link> links)
    {
        Nodes = nodes;
        Links = links;
        for (int i = 0; i < nodes.Count; i++)
            if (nodes[i].Id != i)
                throw new ArgumentException($"node '{nodes[i].Name}' has id {nodes[i].Id} but sits at index {i}");

        var from = new List<Link>[nodes.Count];
        var into = new List<Link>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) { from[i] = new List<Link>(); into[i] = new List<Link>(); }
        foreach (var l in links)
        {
            Check(l);
            from[l.From].Add(l);
            into[l.To].Add(l);
        }

        for (int n = 0; n < nodes.Count; n++)
        {
            var ports = nodes[n].Inputs;
            for (int p = 0; p < ports.Count; p++)
            {
                int count = 0;
                foreach (var l in into[n]) if (l.Port == p) count++;
                if (count != 1)
                    throw new ArgumentException($"input port {p} ({ports[p].Kind}) of node '{nodes[n].Name}' has {count} incoming links; exactly one is required");
            }
        }

        _linksFrom = new Link[nodes.Count][];
        _linksInto = new Link[nodes.Count][];
        for (int i = 0; i < nodes.Count; i++)
        {
            _linksFrom[i] = from[i].ToArray();
            _linksInto[i] = into[i].ToArray();
        }
    }

    public IReadOnlyList<INode> Nodes { get; }
    public IReadOnlyList<Link> Links { get; }

    public ReadOnlySpan<Link> LinksFrom(int node) => _linksFrom[node];
    public ReadOnlySpan<Link> LinksInto(int node) => _linksInto[node];

    /// <summary>The link feeding input port <paramref name="port"/> of node <paramref name="node"/> and its index in <see cref="Links"/>.</summary>
    public (Link Link, int Index) LinkInto(int node, int port)
    {
        for (int i = 0; i < Links.Count; i++)
            if (Links[i].To == node && Links[i].Port == port) return (Links[i], i);
        throw new ArgumentException($"no link into port {port} of node {node}");
    }

    /// <summary>The delay of the link feeding input port <paramref name="port"/> of node <paramref name="node"/>.</summary>
    public int DelayInto(int node, int port)
    {
        foreach (var l in _linksInto[node]) if (l.Port == port) return l.Delay;
        throw new ArgumentException($"no link into port {port} of node {node}");
    }

    private void Check(Link l)
    {
        if (l.From < 0 || l.From >= Nodes.Count) throw new ArgumentException($"link {l} starts at unknown node {l.From}");
        if (l.To < 0 || l.To >= Nodes.Count) throw new ArgumentException($"link {l} ends at unknown node {l.To}");
        if (l.Delay < 1) throw new ArgumentException($"link {Nodes[l.From].Name} -> {Nodes[l.To].Name}: delay must be >= 1 step, got {l.Delay}");
        if (l.Jitter < 0) throw new ArgumentException($"link {Nodes[l.From].Name} -> {Nodes[l.To].Name}: jitter must be >= 0 steps, got {l.Jitter}");
        if (!(l.Loss >= 0 && l.Loss < 1)) throw new ArgumentException($"link {Nodes[l.From].Name} -> {Nodes[l.To].Name}: loss probability must lie in [0, 1), got {l.Loss}");
        if (l.HasModel && Nodes[l.To].Schedule.Kind != ScheduleKind.Lockstep)
            throw new ArgumentException($"link {Nodes[l.From].Name} -> {Nodes[l.To].Name}: jitter and loss apply to continuous-time (lockstep) nodes; '{Nodes[l.To].Name}' is {Nodes[l.To].Schedule.Kind}");
        var to = Nodes[l.To];
        if (l.Port < 0 || l.Port >= to.Inputs.Count) throw new ArgumentException($"link {l}: node '{to.Name}' has no input port {l.Port}");
        var port = to.Inputs[l.Port];
        if (port.Kind != l.Kind)
            throw new ArgumentException($"link {Nodes[l.From].Name} -> {to.Name}: carries {l.Kind} but port {l.Port} expects {port.Kind}");
        int width = -1;
        foreach (var o in Nodes[l.From].Outputs) if (o.Kind == l.Kind) width = o.Width;
        if (width < 0) throw new ArgumentException($"link {l}: node '{Nodes[l.From].Name}' emits no {l.Kind}");
        if (width != port.Width)
            throw new ArgumentException($"link {Nodes[l.From].Name} -> {to.Name} ({l.Kind}): sender width {width} does not fit receiver width {port.Width}");
    }
}
