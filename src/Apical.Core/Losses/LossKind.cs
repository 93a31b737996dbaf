namespace Apical.Core.Losses;

public enum LossKind
{
    /// <summary>Softmax over the linear outputs, cross-entropy against the (one-hot or soft) target.</summary>
    SoftmaxCrossEntropy,
    /// <summary>L = ½‖y − t‖² per sample, averaged over the batch.</summary>
    Mse,
}
