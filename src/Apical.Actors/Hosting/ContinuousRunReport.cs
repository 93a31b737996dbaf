using System.Globalization;
using System.Text;
using Apical.Core.Engine;
using Apical.Core.Model;

namespace Apical.Actors.Hosting;

/// <summary>What a continuous-time run did: its mode — lockstep (bit-reproducible) or free running (not) — and
/// per reported link the messages lost, the messages that came too late and the mean staleness of what was used.</summary>
public sealed record ContinuousRunReport(string RunId, long Steps, bool Reproducible, Topology Topology,
    IReadOnlyList<(Link Link, PortStatistics Statistics)> Links)
{
    public string Mode => Reproducible
        ? "lockstep: bit-reproducible (same results on any engine and placement)"
        : "free-running: not bit-reproducible (each node steps on its own clock; results depend on timing)";

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"run {RunId}, {Steps} source steps, {Mode}\n");
        foreach (var (l, s) in Links)
        {
            sb.Append(c, $"  link {Topology.Nodes[l.From].Name} -> {Topology.Nodes[l.To].Name} ({l.Kind}, delay {l.Delay}");
            if (l.Jitter > 0) sb.Append(c, $", jitter {l.Jitter}");
            if (l.Loss > 0) sb.Append(c, $", loss {l.Loss}");
            sb.Append(c, $"): dropped {s.Dropped}, late {s.Late}, firings {s.Firings}, mean staleness {s.MeanStaleness:F2} steps\n");
        }
        return sb.ToString();
    }
}
