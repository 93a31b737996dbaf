using Apical.Core.Numerics;
using Apical.Core.Optimization;

namespace Apical.Core.Rules.Backprop;

/// <summary>Everything a dense layer node needs to know about itself; nothing about its neighbours but widths.</summary>
public sealed record DenseLayerOptions
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public required int InSize { get; init; }
    public required int OutSize { get; init; }
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Receives <c>Input</c> from the data source rather than <c>Rates</c> from a layer.</summary>
    public bool IsFirst { get; init; }
    /// <summary>Emits <c>Output</c> (to the loss) rather than <c>Rates</c>.</summary>
    public bool IsOutput { get; init; }
    public CreditIn CreditIn { get; init; } = CreditIn.Identity;
    /// <summary>Width of the credit message received (n(i) for Identity; n(i+1) for FA; n(L) for DFA).</summary>
    public int FeedbackWidth { get; init; }
    public CreditOut CreditOut { get; init; } = CreditOut.None;
    public required OptimizerSpec Optimizer { get; init; }
    /// <summary>Pipeline depth S (0 = strict).</summary>
    public int PipelineDepth { get; init; }
    public required int BatchCapacity { get; init; }
    public required ulong Seed { get; init; }
    public WeightInitKind Init { get; init; } = WeightInitKind.XavierNormal;
}

public enum WeightInitKind
{
    XavierNormal,
    XavierUniform,
    HeNormal,
}
