using Akka.Actor;
using Apical.Actors.Hosting;
using Apical.Core.Engine;
using Apical.Core.Model;
using Xunit;

namespace Apical.Actors.Tests.TestSupport;

/// <summary>Runs the toy continuous-time rule on the in-process lockstep engine and on the actor runtime and
/// asserts bit equality of every node's state, the readout's record and the link statistics.</summary>
internal static class ContinuousComparison
{
    public static readonly GraphShape Shape = new(0, 0, false);

    public static ContinuousRunReport AssertSameAsInProcess(ActorSystem system, ILayerHost host, RunConfig config, long steps,
        ContinuousRunOptions options, Action<ContinuousRun>? inspect = null)
    {
        ToyLeakyGraph.Register();
        var topology = ToyLeakyGraph.Build(config);
        using var expected = new InProcessLockstepEngine(topology, "oracle", config.BatchSize, config.Seed);
        expected.Run(steps);
        var want = expected.Parameters();
        var wantLinks = expected.LinkStatistics();

        using var run = new ContinuousRun(system, host, config, Shape, options);
        run.Run(steps);
        var got = run.Parameters();
        AssertSameParameters(want, got);
        // the readout fired every step the inputs allow, and saw something
        int readout = topology.Nodes.Count - 1;
        var last = ContinuousRun.LastSteps(topology, steps, config.Seed);
        Assert.Equal(last[readout] + 1, (long)got[readout][3].Tensor[0, 0]);
        Assert.Contains(got[readout][1].Tensor.ReadOnlySpan.ToArray(), v => v != 0f);

        var report = run.Report();
        Assert.True(report.Reproducible);
        Assert.Equal(wantLinks.Count, report.Links.Count);
        for (int i = 0; i < wantLinks.Count; i++)
        {
            Assert.Equal(wantLinks[i].Link, report.Links[i].Link);
            var (w, g) = (wantLinks[i].Statistics, report.Links[i].Statistics);
            Assert.Equal((w.Dropped, w.Late, w.Firings), (g.Dropped, g.Late, g.Firings));
            Assert.Equal(w.StalenessSum, g.StalenessSum);
        }
        inspect?.Invoke(run);
        return report;
    }

    /// <summary>Every node's named tensors equal to the bit (the actor run's first).</summary>
    public static void AssertSameParameters(IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> want, IReadOnlyDictionary<int, IReadOnlyList<NamedTensor>> got)
    {
        Assert.Equal(want.Count, got.Count);
        foreach (var (node, tensors) in want)
        {
            var mine = got[node];
            Assert.Equal(tensors.Count, mine.Count);
            for (int i = 0; i < tensors.Count; i++)
            {
                Assert.Equal(tensors[i].Name, mine[i].Name);
                var a = tensors[i].Tensor.ReadOnlySpan;
                var b = mine[i].Tensor.ReadOnlySpan;
                Assert.Equal(a.Length, b.Length);
                for (int k = 0; k < a.Length; k++)
                    if (BitConverter.SingleToInt32Bits(a[k]) != BitConverter.SingleToInt32Bits(b[k]))
                        Assert.Fail($"node {node} {tensors[i].Name}[{k}]: actors {b[k]:R} vs in-process {a[k]:R}");
            }
        }
    }
}
