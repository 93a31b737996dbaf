using Apical.Core.Model;

namespace Apical.Core.Rules.Gle;

/// <summary>
/// The control-plane commands of the GLE nodes (delivered between firings by any engine, see
/// <see cref="ICommandTarget"/>), so a session reads metrics and changes learning rates wherever the nodes live.
/// <list type="bullet">
/// <item><c>take(phase)</c> to the readout: the phase's mean loss per step, accuracy and samples since the last take
/// (then resets that phase).</item>
/// <item><c>last-loss()</c> to the readout: the loss of its last step and that step.</item>
/// <item><c>last-output()</c> to the readout: its last step and the output it saw there (rows × n_L).</item>
/// <item><c>learning-rate()</c> / <c>learning-rate(lr)</c> to a layer: reads / sets its optimisers' rate; answers
/// the rate in force.</item>
/// </list>
/// </summary>
public static class GleCommands
{
    public const string Take = "take";
    public const string LastLoss = "last-loss";
    public const string LastOutput = "last-output";
    public const string LearningRate = "learning-rate";

    public static NodeCommand TakeOf(Phase phase) => new(Take, (double)(int)phase);

    public static NodeCommand SetLearningRate(double lr) => new(LearningRate, lr);

    public static NodeCommand GetLearningRate { get; } = new(LearningRate);

    public static NodeCommand GetLastLoss { get; } = new(LastLoss);

    public static NodeCommand GetLastOutput { get; } = new(LastOutput);

    /// <summary>The single integer argument of <paramref name="command"/> in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    internal static int IntArgument(NodeCommand command, string node, int min, int max)
    {
        if (command.Numbers.Length != 1 || command.Numbers[0] != Math.Floor(command.Numbers[0]) || command.Numbers[0] < min || command.Numbers[0] > max)
            throw new ArgumentException($"{node}: {command.Verb} takes one integer in [{min}, {max}], got ({string.Join(", ", command.Numbers)})");
        return (int)command.Numbers[0];
    }

    internal static ArgumentException Unknown(NodeCommand command, string node, string known) =>
        new($"{node}: unknown command '{command.Verb}' (known: {known})");
}
