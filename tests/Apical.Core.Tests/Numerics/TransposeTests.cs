using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class TransposeTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(8, 8, 8)]
    [InlineData(7, 9, 12)]
    [InlineData(32, 256, 256)]
    [InlineData(19, 43, 40)]
    [InlineData(64, 10, 256)]
    public void Rows_become_columns_and_nothing_else_is_written(int rows, int cols, int stride)
    {
        var r = new Random(rows * 1000 + cols);
        var src = new float[rows * cols];
        for (int i = 0; i < src.Length; i++) src[i] = (float)r.NextDouble();
        var dst = new float[cols * stride];
        Array.Fill(dst, -7f);
        Transpose.Into(src, rows, cols, dst, stride);
        for (int j = 0; j < cols; j++)
            for (int c = 0; c < stride; c++)
                Assert.Equal(c < rows ? src[c * cols + j] : -7f, dst[j * stride + c]);
    }

    [Fact]
    public void Blocks_that_do_not_fit_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Transpose.Into(new float[10], 3, 4, new float[100], 8));
        Assert.Throws<ArgumentException>(() => Transpose.Into(new float[12], 3, 4, new float[10], 3));
        Assert.Throws<ArgumentException>(() => Transpose.Into(new float[12], 3, 4, new float[100], 2));
    }
}
