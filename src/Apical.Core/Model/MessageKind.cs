namespace Apical.Core.Model;

/// <summary>The message vocabulary of DESIGN.md: what a tensor message carries.</summary>
public enum MessageKind : byte
{
    /// <summary>Data source → first layer: B × n(0) inputs.</summary>
    Input = 0,
    /// <summary>Data source → loss / controller: B × n(L) targets.</summary>
    Target = 1,
    /// <summary>Layer i−1 → layer i: B × n(i−1) rates.</summary>
    Rates = 2,
    /// <summary>Layer i+1 → layer i (or loss → layers): errors, rates or perturbations, by rule.</summary>
    Feedback = 3,
    /// <summary>Controller → every layer: B × n(L) control signal.</summary>
    Control = 4,
    /// <summary>Output layer → controller / loss: B × n(L).</summary>
    Output = 5,
}

/// <summary>What a message belongs to: a training step, or a forward-only evaluation pass over a data split.</summary>
public enum Phase : byte
{
    Train = 0,
    Validation = 1,
    Test = 2,
}
