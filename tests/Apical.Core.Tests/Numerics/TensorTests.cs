using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class TensorTests
{
    [Fact]
    public void Large_tensors_are_staggered_but_hold_exactly_their_shape()
    {
        var pads = new HashSet<int>();
        for (int i = 0; i < 8; i++)
        {
            var t = new Tensor(40, 256);
            Assert.Equal(40, t.RowCapacity);
            Assert.Equal(40 * 256, t.Span.Length);
            int pad = t.Data.Length - 40 * 256;
            Assert.InRange(pad, 256, 1024); // ≥ 1 KiB apart in the page, never a second row's worth of waste
            pads.Add(pad);
            t.SetRows(3);
            Assert.Equal(3 * 256, t.Span.Length);
            Assert.Throws<ArgumentOutOfRangeException>(() => t.SetRows(41)); // the padding is not capacity
        }
        Assert.True(pads.Count > 1, "every allocation got the same pad: back-to-back tensors share their page offset");
    }

    [Fact]
    public void Small_tensors_and_given_buffers_are_not_padded()
    {
        Assert.Equal(32 * 10, new Tensor(32, 10).Data.Length);
        var buffer = new float[50];
        var t = new Tensor(4, 10, buffer);
        Assert.Same(buffer, t.Data);
        Assert.Equal(5, t.RowCapacity);
    }
}
