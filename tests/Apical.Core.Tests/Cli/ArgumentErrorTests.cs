using Apical.Cli;
using Apical.Core.Model;
using Apical.Core.Tests.Metrics;
using Xunit;

namespace Apical.Core.Tests.Cli;

public class ArgumentErrorTests
{
    [Theory]
    [InlineData("--epochs", "-3", "--epochs")]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--epochs", "many", "'many'")]
    [InlineData("--seed", "-1", "--seed")]
    [InlineData("--config", "no-such-config.json", "no-such-config.json")]
    public void Bad_train_options_exit_2_with_one_line_naming_them(string option, string value, string named)
    {
        var (code, output, error) = CliRunner.Run("train", option, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(named, error);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", output);
    }

    [Fact]
    public void Unknown_dataset_is_named()
    {
        var (code, _, error) = CliRunner.Run("data", "fetch", "cifar10");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown dataset 'cifar10'", error);
        Assert.Contains("fashion-mnist", error);
    }

    [Fact]
    public void Unknown_option_and_missing_command_are_usage_errors()
    {
        var unknown = CliRunner.Run("train", "--bogus");
        Assert.Equal(ExitCodes.Usage, unknown.Code);
        Assert.Contains("--bogus", unknown.Err);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run().Code);
    }

    [Fact]
    public void Plot_of_a_missing_directory_is_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run("plot", "no/such/run");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no/such/run", error);
    }

    [Fact]
    public void Help_succeeds()
    {
        var (code, output, _) = CliRunner.Run("train", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("--epochs", output);
    }

    [Fact]
    public void Config_errors_print_file_field_and_reason()
    {
        var error = new StringWriter();
        int code = ApicalCommand.Report(new ConfigException("exp.json", "layers[2].size", "must be positive"), error);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: exp.json: layers[2].size: must be positive" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void Default_config_is_found_in_a_parent_directory()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("configs"));
        File.WriteAllText(tmp.File(Path.Combine("configs", "default.json")), "{}");
        var nested = tmp.File(Path.Combine("a", "b"));
        Directory.CreateDirectory(nested);

        Assert.Equal(tmp.File(Path.Combine("configs", "default.json")), ConfigLocator.Resolve(null, nested, tmp.File("exe")));
    }

    [Fact]
    public void Missing_default_config_names_the_paths_tried()
    {
        using var tmp = new TempDir();
        var exeDir = tmp.File("exe");
        var e = Assert.Throws<UsageException>(() => ConfigLocator.Resolve(null, tmp.Path, exeDir));
        Assert.Contains(tmp.File(Path.Combine("configs", "default.json")), e.Message);
        Assert.Contains(Path.Combine(exeDir, "configs", "default.json"), e.Message);
    }
}
