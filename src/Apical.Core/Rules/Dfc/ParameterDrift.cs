using Apical.Core.Numerics;

namespace Apical.Core.Rules.Dfc;

/// <summary>
/// How far each layer's forward weights W_l and feedback weights Q_l moved since the last mark: the relative
/// Frobenius change ‖X − X_mark‖_F / ‖X_mark‖_F (NaN when X_mark is zero). The session marks the parameters at the
/// start of a run (after a restore, so a resumed run continues the same series), after the feedback pre-training and
/// at every evaluation, which makes the metrics.csv columns <c>w_change_lN</c> / <c>q_change_lN</c> the change over
/// one epoch. Q's change tells whether feedback learning does anything at all under a run's constants (with Adam
/// every element moves by at most about lr per mini-batch).
/// </summary>
public sealed class ParameterDrift
{
    private readonly float[][] _w, _q;

    public ParameterDrift(DfcNetwork net)
    {
        ArgumentNullException.ThrowIfNull(net);
        int L = net.Layers.Count;
        _w = new float[L][];
        _q = new float[L][];
        for (int l = 0; l < L; l++)
        {
            _w[l] = new float[net.Layers[l].Weights.ReadOnlySpan.Length];
            _q[l] = new float[net.Layers[l].FeedbackWeights.ReadOnlySpan.Length];
        }
    }

    /// <summary>Remembers the current W and Q of every layer of <paramref name="net"/>.</summary>
    public void Mark(DfcNetwork net)
    {
        for (int l = 0; l < _w.Length; l++)
        {
            net.Layers[l].Weights.ReadOnlySpan.CopyTo(_w[l]);
            net.Layers[l].FeedbackWeights.ReadOnlySpan.CopyTo(_q[l]);
        }
    }

    /// <summary>‖W_l − W_l,mark‖_F / ‖W_l,mark‖_F of layer <paramref name="layer"/> (0-based).</summary>
    public double WeightChange(DfcNetwork net, int layer) => Relative(net.Layers[layer].Weights.ReadOnlySpan, _w[layer]);

    /// <summary>‖Q_l − Q_l,mark‖_F / ‖Q_l,mark‖_F of layer <paramref name="layer"/> (0-based).</summary>
    public double FeedbackChange(DfcNetwork net, int layer) => Relative(net.Layers[layer].FeedbackWeights.ReadOnlySpan, _q[layer]);

    /// <summary>The columns <c>w_change_lN</c> and <c>q_change_lN</c> against the last mark (NaN for
    /// <paramref name="net"/> null: the row before any training), then marks the current parameters.</summary>
    public IEnumerable<KeyValuePair<string, double>> TakeColumns(DfcNetwork? net)
    {
        int L = _w.Length;
        var values = new KeyValuePair<string, double>[2 * L];
        for (int l = 0; l < L; l++)
        {
            values[l] = new($"w_change_l{l + 1}", net is null ? double.NaN : WeightChange(net, l));
            values[L + l] = new($"q_change_l{l + 1}", net is null ? double.NaN : FeedbackChange(net, l));
        }
        if (net is not null) Mark(net);
        return values;
    }

    private static double Relative(ReadOnlySpan<float> now, float[] mark)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < mark.Length; i++)
        {
            double m = mark[i], d = now[i] - m;
            diff += d * d;
            norm += m * m;
        }
        return norm > 0 ? Math.Sqrt(diff / norm) : double.NaN;
    }
}
