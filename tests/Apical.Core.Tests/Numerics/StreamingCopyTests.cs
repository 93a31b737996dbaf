using Apical.Core.Numerics;
using Xunit;

namespace Apical.Core.Tests.Numerics;

public sealed class StreamingCopyTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 3)]
    [InlineData(16, 0)]
    [InlineData(32, 7)]
    [InlineData(1000, 1)]
    [InlineData(8192, 13)]
    public void Copies_exactly_the_source_at_any_alignment(int n, int offset)
    {
        var src = new float[n];
        for (int i = 0; i < n; i++) src[i] = i * 0.37f - 5f;
        var dst = new float[n + offset + 3];
        Array.Fill(dst, -1f);
        StreamingCopy.Copy(src, dst.AsSpan(offset, n));
        StreamingCopy.Fence();
        for (int i = 0; i < dst.Length; i++)
            Assert.Equal(i >= offset && i < offset + n ? src[i - offset] : -1f, dst[i]);
    }

    [Fact]
    public void A_short_destination_is_refused() =>
        Assert.Throws<ArgumentException>(() => StreamingCopy.Copy(new float[20], new float[19]));
}
