namespace Apical.Core.Nodes;

/// <summary>A run produced a NaN or infinite value: names the node, the step and the value.</summary>
public sealed class DivergenceException : Exception
{
    public DivergenceException(string node, long step, double value, string detail)
        : base($"diverged at node '{node}', step {step}: {detail}")
    {
        Node = node;
        Step = step;
        Value = value;
    }

    public string Node { get; }
    public long Step { get; }
    public double Value { get; }
}
