using Apical.Core.Metrics;
using Xunit;

namespace Apical.Core.Tests.Metrics;

public class EventLogTests
{
    [Fact]
    public void Lines_carry_an_iso8601_utc_timestamp_and_one_event_each()
    {
        using var tmp = new TempDir();
        var path = tmp.File("events.log");
        var time = new FixedTime(new DateTimeOffset(2024, 3, 5, 8, 7, 8, 9, TimeSpan.FromHours(2)));
        using (var log = new EventLog(path, time))
        {
            log.Write("start");
            log.Write("two\nlines");
            Assert.Equal(2, File.ReadAllLines(path).Length); // flushed while still open
        }

        Assert.Equal(["2024-03-05T06:07:08.009Z start", "2024-03-05T06:07:08.009Z two lines"], File.ReadAllLines(path));
    }

    [Fact]
    public void Concurrent_writers_never_interleave_within_a_line()
    {
        using var tmp = new TempDir();
        var path = tmp.File("events.log");
        using (var log = new EventLog(path))
            Parallel.For(0, 400, i => log.Write($"event {i} " + new string('x', 200)));

        var lines = File.ReadAllLines(path);
        Assert.Equal(400, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z event \d+ x{200}$", l));
        Assert.Equal(400, lines.Select(l => l.Split(' ')[2]).Distinct().Count());
    }

    [Fact]
    public void Appends_to_an_existing_log()
    {
        using var tmp = new TempDir();
        var path = tmp.File("events.log");
        File.WriteAllText(path, "earlier\n");
        using (var log = new EventLog(path))
            log.Write("later");
        var lines = File.ReadAllLines(path);
        Assert.Equal("earlier", lines[0]);
        Assert.EndsWith(" later", lines[1]);
    }
}
