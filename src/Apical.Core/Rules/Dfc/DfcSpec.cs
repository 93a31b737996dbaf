namespace Apical.Core.Rules.Dfc;

/// <summary>The <c>dfc</c> section of a run config: controller, dynamics, feedback learning and schedule.</summary>
public sealed class DfcSpec
{
}
