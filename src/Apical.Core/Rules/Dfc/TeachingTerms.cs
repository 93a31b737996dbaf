using System.Numerics.Tensors;
using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// How the forward rule's teaching signal is formed from the two terms a layer stacks per step (spec 8):
/// s = φ(v) − φ(v^ff) for <c>nonlinear_difference</c> (the layer stacks its rate φ(v) and v^ff), s = v − v^ff for
/// <c>voltage_difference</c> and at a linear layer (it stacks v and v^ff). The rule forms s for a whole chunk of
/// steps at once, element by element exactly as a per-step subtraction would, so the bits do not depend on where or
/// when it is formed.
/// </summary>
internal sealed class TeachingTerms
{
    private readonly Activation? _phi; // null: s = a − v^ff

    private TeachingTerms(Activation? phi) => _phi = phi;

    /// <summary>s = v − v^ff.</summary>
    public static readonly TeachingTerms Difference = new(null);

    private static readonly TeachingTerms[] OfActivation = CreateAll();

    private static TeachingTerms[] CreateAll()
    {
        var values = Enum.GetValues<Activation>();
        var all = new TeachingTerms[values.Length];
        foreach (var a in values) all[(int)a] = a == Activation.Linear ? Difference : new TeachingTerms(a);
        return all;
    }

    /// <summary>s = φ(v) − φ(v^ff), φ the layer's activation (the difference itself for a linear layer).</summary>
    public static TeachingTerms Of(Activation phi) => OfActivation[(int)phi];

    /// <summary>Whether the first term is the rate φ(v) (else the voltage v).</summary>
    public bool UsesRate => _phi is not null;

    /// <summary>Turns the stacked first terms <paramref name="a"/> into s in place; <paramref name="vff"/> is overwritten.</summary>
    public void Form(Span<float> a, Span<float> vff)
    {
        if (_phi is { } phi)
        {
            if (phi == Activation.Tanh) FastTanh.Apply(vff, vff); // the layers' own φ (DfcLayer.Phi)
            else Activations.Apply(phi, vff);
        }
        TensorPrimitives.Subtract(a, vff, a);
    }
}
