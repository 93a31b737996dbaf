using Apical.Core.Numerics;
using Apical.Core.Rules.Dfc;
using Xunit;

namespace Apical.Core.Tests.Rules.Dfc;

/// <summary>The receiver-side link model of DFC nodes: the value held at step t is the newest stamp that is not lost
/// and has arrived, computed here by brute force over every stamp of the simulation; the draws have the configured
/// rates; the state-0 values of a simulation are never lost or late and nothing of an earlier simulation is used.</summary>
public class LinkModelInputTests
{
    [Theory]
    [InlineData(1, 0, 0.3)]
    [InlineData(1, 3, 0.0)]
    [InlineData(2, 2, 0.2)]
    [InlineData(3, 4, 0.5)]
    public void The_held_value_is_the_newest_that_arrived_and_was_not_lost(int delay, int jitter, double loss)
    {
        var input = new LinkModelInput(new LinkModel(jitter, loss), delay, seed: 7, link: 5, rows: 2, width: 3);
        for (int sim = 0; sim < 2; sim++)
        {
            long start = 100 + 1000 * sim;
            input.Begin(batchSerial: 11 + sim, firstStep: start);
            long boundary = start - delay;
            long due = 0, lost = 0, firings = 0, maxStale = 0;
            double staleSum = 0;
            for (long t = start; t < start + 80; t++)
            {
                var delivered = new Tensor(2, 3);
                delivered.Span.Fill(t - delay < start ? -1 - sim : t - delay); // the D state-0 values carry one value
                var held = input.Resolve(t, delivered);

                long newest = long.MinValue;
                for (long s = boundary; s <= t - delay; s++)
                    if (!input.Lost(s) && input.Arrival(s) <= t) newest = s;
                Assert.True(newest >= boundary, $"t = {t}: nothing held (the state-0 values arrive in time)");
                float want = newest < start ? -1 - sim : newest;
                Assert.All(held.ReadOnlySpan.ToArray(), v => Assert.Equal(want, v));

                long s0 = t - delay;
                if (s0 >= start) { due++; if (input.Lost(s0)) lost++; }
                firings++;
                staleSum += s0 - newest;
                maxStale = Math.Max(maxStale, s0 - newest);
            }
            var c = input.Counts;
            Assert.Equal((due, lost, firings, maxStale), (c.Due, c.Lost, c.Firings, c.MaxStaleness));
            Assert.Equal(staleSum, c.StalenessSum);
            Assert.True(staleSum > 0, "the link model never held a stale value: the test proves nothing");
        }
    }

    [Theory]
    [InlineData(0, 0.25)]
    [InlineData(4, 0.0)]
    public void Draws_have_the_configured_rates_and_spare_the_state_0_values(int jitter, double loss)
    {
        const int delay = 2;
        var input = new LinkModelInput(new LinkModel(jitter, loss), delay, seed: 3, link: 1, rows: 1, width: 1);
        input.Begin(batchSerial: 5, firstStep: 10);
        for (long s = 10 - delay; s < 10; s++)
        {
            Assert.False(input.Lost(s));
            Assert.Equal(s + delay, input.Arrival(s));
        }
        const int n = 40_000;
        int lostCount = 0;
        var extra = new int[jitter + 1];
        for (long s = 10; s < 10 + n; s++)
        {
            if (input.Lost(s)) lostCount++;
            long e = input.Arrival(s) - s - delay;
            Assert.InRange(e, 0, jitter);
            extra[e]++;
        }
        Assert.InRange(lostCount / (double)n, loss - 0.01, loss + 0.01);
        foreach (int count in extra) Assert.InRange(count / (double)n, 1.0 / (jitter + 1) - 0.01, 1.0 / (jitter + 1) + 0.01);

        // another mini-batch serial draws other numbers; the same serial the same ones
        var again = new LinkModelInput(new LinkModel(jitter, loss), delay, seed: 3, link: 1, rows: 1, width: 1);
        again.Begin(batchSerial: 5, firstStep: 5000);
        var other = new LinkModelInput(new LinkModel(jitter, loss), delay, seed: 3, link: 1, rows: 1, width: 1);
        other.Begin(batchSerial: 6, firstStep: 10);
        int same = 0, differ = 0;
        for (long k = 0; k < 200; k++)
        {
            Assert.Equal(input.Lost(10 + k), again.Lost(5000 + k));
            Assert.Equal(input.Arrival(10 + k) - 10, again.Arrival(5000 + k) - 5000);
            if (input.Lost(10 + k) != other.Lost(10 + k) || input.Arrival(10 + k) != other.Arrival(10 + k)) differ++; else same++;
        }
        Assert.True(differ > 20, $"serials 5 and 6 drew alike {same} of 200 times");
    }

    [Fact]
    public void A_model_without_jitter_or_loss_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new LinkModelInput(LinkModel.None, 1, 1, 0, 1, 1));
        Assert.Contains("jitter or loss", e.Message);
    }
}
