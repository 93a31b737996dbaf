namespace Apical.Cli;

/// <summary>Process exit codes of the apical command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The run or operation failed (I/O, download, training error).</summary>
    public const int Failure = 1;
    /// <summary>Bad command-line input or an invalid config file; nothing was run.</summary>
    public const int Usage = 2;
    /// <summary>Stopped by Ctrl-C (128 + SIGINT), results so far saved.</summary>
    public const int Cancelled = 130;
}

/// <summary>A problem with what the user asked for (arguments, files named on the command line).</summary>
internal sealed class UsageException(string message) : Exception(message);
