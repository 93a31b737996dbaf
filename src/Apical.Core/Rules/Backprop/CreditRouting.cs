namespace Apical.Core.Rules.Backprop;

/// <summary>What a dense layer sends down with its credit.</summary>
public enum CreditOut
{
    /// <summary>Nothing (first layer, or DFA where credit comes straight from the output error).</summary>
    None,
    /// <summary>BP: δᵢ Wᵢ (the weight transport is explicit in the message: B × n(i−1)).</summary>
    TransposedWeights,
    /// <summary>FA: the layer's own δᵢ (B × n(i)); the receiver maps it through its fixed random matrix.</summary>
    Error,
}

/// <summary>How a dense layer turns the credit it receives into ∂L/∂hᵢ.</summary>
public enum CreditIn
{
    /// <summary>No credit port (evaluation-only networks).</summary>
    None,
    /// <summary>The message already is ∂L/∂hᵢ (BP, or the top layer receiving the loss gradient).</summary>
    Identity,
    /// <summary>FA / DFA: the message times a fixed random matrix the receiving layer holds.</summary>
    FixedRandomMatrix,
}
