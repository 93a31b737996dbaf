using Apical.Cli;

namespace Apical.Core.Tests.Cli;

/// <summary>Runs the apical command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ApicalCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
