using Apical.Core.Losses;
using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Losses;

public class LossFunctionsTests
{
    [Theory]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    [InlineData(LossKind.Mse)]
    public void GradientEqualsFiniteDifferencesOfTheMeanLoss(LossKind kind)
    {
        var rng = new Random(3);
        var y = new Tensor(4, 5);
        var t = new Tensor(4, 5);
        for (int r = 0; r < 4; r++)
        {
            for (int j = 0; j < 5; j++) y[r, j] = (float)(rng.NextDouble() * 4 - 2);
            t[r, rng.Next(5)] = 1f;
        }
        var grad = new Tensor(4, 5);
        LossFunctions.Evaluate(kind, y, t, grad);
        for (int r = 0; r < 4; r++)
        for (int j = 0; j < 5; j++)
        {
            float keep = y[r, j];
            y[r, j] = keep + 1e-2f;
            double plus = LossFunctions.Evaluate(kind, y, t, null) / 4;
            y[r, j] = keep - 1e-2f;
            double minus = LossFunctions.Evaluate(kind, y, t, null) / 4;
            y[r, j] = keep;
            Assert.Equal((plus - minus) / 2e-2, grad[r, j], 2e-3);
        }
    }

    [Fact]
    public void CrossEntropyIsStableForLargeLogits()
    {
        var y = new Tensor(1, 3);
        var t = new Tensor(1, 3);
        y[0, 0] = 1000f; y[0, 1] = -1000f; t[0, 1] = 1f;
        double loss = LossFunctions.Evaluate(LossKind.SoftmaxCrossEntropy, y, t, null);
        Assert.Equal(2000.0, loss, 1e-6);
    }

    [Fact]
    public void AccuracyCountsArgmaxMatches()
    {
        var y = new Tensor(3, 2);
        var t = new Tensor(3, 2);
        y[0, 0] = 1; t[0, 0] = 1;     // right
        y[1, 1] = 1; t[1, 0] = 1;     // wrong
        y[2, 1] = 2; t[2, 1] = 1;     // right
        Assert.Equal(2, LossFunctions.CountCorrect(y, t));
    }
}
