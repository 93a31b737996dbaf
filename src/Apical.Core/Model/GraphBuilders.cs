using System.Collections.Concurrent;
using Apical.Core.Rules;

namespace Apical.Core.Model;

/// <summary>The data dimensions a graph is built for (the config gives everything else).</summary>
public readonly record struct GraphShape(int InputWidth, int OutputWidth, bool Classification);

/// <summary>
/// Builds the whole graph of a run from its config. Every engine, and on the actor runtime every process hosting
/// nodes of the run, builds the same graph from the same config and keeps the node(s) it runs, so nodes are
/// initialised from the seed wherever they live. Nodes of one graph must share no mutable state: actor entities
/// borrow different nodes of one graph and run them on different threads.
/// By convention node 0 is the run's only source (hosted by the engine or the run's coordinator).
/// </summary>
public interface IGraphBuilder
{
    Topology Build(RunConfig config, GraphShape shape);
}

/// <summary>
/// Which <see cref="IGraphBuilder"/> builds a run's graph: by name, where a rule's name (its kebab-case
/// <see cref="RuleKind"/>, e.g. <c>bp</c>, <c>gle</c>) is the default. A rule adds its builder with one line in
/// <see cref="Defaults"/>; tools and tests may register builders of their own under other names.
/// </summary>
public static class GraphBuilders
{
    private static readonly ConcurrentDictionary<string, IGraphBuilder> Builders = new(Defaults(), StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, IGraphBuilder>> Defaults()
    {
        var discrete = new DiscreteGraphBuilder();
        yield return new(NameOf(RuleKind.Bp), discrete);
        yield return new(NameOf(RuleKind.Fa), discrete);
        yield return new(NameOf(RuleKind.Dfa), discrete);
        yield return new(NameOf(RuleKind.Gle), new Rules.Gle.GleGraphBuilder());
        var dfc = new Rules.Dfc.DfcGraphBuilder();
        yield return new(NameOf(RuleKind.Dfc), dfc);
        yield return new(NameOf(RuleKind.StrongDfc), dfc);
    }

    /// <summary>The registry name of a rule's builder.</summary>
    public static string NameOf(RuleKind rule) => rule.ConfigName();

    /// <summary>Registers (or replaces) the builder called <paramref name="name"/>.</summary>
    public static void Register(string name, IGraphBuilder builder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Builders[name] = builder ?? throw new ArgumentNullException(nameof(builder));
    }

    public static void Register(RuleKind rule, IGraphBuilder builder) => Register(NameOf(rule), builder);

    /// <summary>The builder called <paramref name="name"/>, or the one of <paramref name="rule"/> when no name is given.</summary>
    public static IGraphBuilder Resolve(RuleKind rule, string? name = null)
    {
        string key = string.IsNullOrEmpty(name) ? NameOf(rule) : name;
        if (Builders.TryGetValue(key, out var builder)) return builder;
        throw new ConfigException("(run)", "rule", $"no graph builder is registered for '{key}' (registered: {string.Join(", ", Builders.Keys.Order())})");
    }

    /// <summary>Builds the graph of <paramref name="config"/> with the builder <see cref="Resolve"/> picks.</summary>
    public static Topology Build(RunConfig config, GraphShape shape, string? name = null) => Resolve(config.Rule, name).Build(config, shape);
}

/// <summary>The discrete rules (BP, FA, DFA): <see cref="NetworkBuilder"/>'s graph.</summary>
public sealed class DiscreteGraphBuilder : IGraphBuilder
{
    public Topology Build(RunConfig config, GraphShape shape) =>
        NetworkBuilder.Build(config, shape.InputWidth, shape.OutputWidth, shape.Classification).Topology;
}
