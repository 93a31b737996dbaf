namespace Apical.Core.Rules.Gle;

/// <summary>The <c>gle</c> section of a run config: time constants, discretisation, streams and readout.</summary>
public sealed class GleSpec
{
}
