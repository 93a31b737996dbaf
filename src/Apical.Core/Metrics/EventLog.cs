using System.Globalization;
using System.Text;

namespace Apical.Core.Metrics;

/// <summary>Appends one line per event to events.log: an ISO-8601 UTC timestamp, a space, the message
/// (line breaks folded to spaces). Each line is flushed as written. Thread-safe.</summary>
public sealed class EventLog : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private bool _disposed;

    public string Path { get; }

    public EventLog(string path, TimeProvider? time = null)
    {
        Path = path;
        _time = time ?? TimeProvider.System;
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
    }

    public void Write(string message)
    {
        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var line = stamp + " " + message.ReplaceLineEndings(" ");
        lock (_gate)
        {
            if (_disposed)
                return; // late events from a worker after the run closed its log are dropped, not fatal
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _writer.Dispose();
        }
    }
}
