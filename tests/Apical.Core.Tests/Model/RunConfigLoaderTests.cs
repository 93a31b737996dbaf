using Apical.Core.Model;
using Xunit;

namespace Apical.Core.Tests.Model;

public class RunConfigLoaderTests
{
    private const string Valid = """
        {
          // a comment
          "name": "t", "seed": 3, "epochs": 2, "rule": "fa",
          "data": { "name": "mnist" },
          "network": { "layers": [ { "out": 32 }, { "in": 32, "out": 10, "activation": "linear" } ] },
          "optimizer": { "type": "sgd", "lr": 0.1, "momentum": 0.9 },
          "engine": { "pipelineDepth": 1 }
        }
        """;

    private static ConfigException Reject(string json) =>
        Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(json, "exp.json"));

    private static string With(string from, string to)
    {
        Assert.Contains(from, Valid);
        return Valid.Replace(from, to);
    }

    [Fact]
    public void AValidConfigIsReadWithItsValuesAndDefaults()
    {
        var c = RunConfigLoader.Parse(Valid, "exp.json");
        Assert.Equal(RuleKind.Fa, c.Rule);
        Assert.Equal(3UL, c.Seed);
        Assert.Equal(2, c.Network.Layers.Count);
        Assert.Equal(Apical.Core.Numerics.Activation.Tanh, c.Network.Layers[0].Activation);
        Assert.Equal(Apical.Core.Optimization.OptimizerKind.Sgd, c.Optimizer.Type);
        Assert.Equal(0.9, c.Optimizer.Momentum);
        Assert.Equal(128, c.BatchSize);
        Assert.Equal(1, c.Engine.PipelineDepth);
    }

    [Fact]
    public void TheResolvedConfigRoundTrips()
    {
        var c = RunConfigLoader.Parse(Valid, "exp.json");
        string json = RunConfigLoader.ToJson(c);
        Assert.Contains("\"rule\": \"fa\"", json);
        Assert.Equal(json, RunConfigLoader.ToJson(RunConfigLoader.Parse(json, "resolved.json")));
    }

    [Fact]
    public void AnUnknownFieldIsRejectedWithItsPath()
    {
        var e = Reject(With("{ \"out\": 32 }", "{ \"out\": 32, \"widht\": 3 }"));
        Assert.Equal("exp.json", e.File);
        Assert.Equal("network.layers[0].widht", e.Field);
        Assert.Contains("unknown field", e.Reason);
    }

    [Fact]
    public void AWrongTypeIsRejectedWithItsField()
    {
        var e = Reject(With("\"epochs\": 2", "\"epochs\": \"two\""));
        Assert.Equal("epochs", e.Field);
        Assert.Contains("integer", e.Reason);
    }

    [Fact]
    public void AnUnknownEnumValueListsTheChoices()
    {
        var e = Reject(With("\"rule\": \"fa\"", "\"rule\": \"hebb\""));
        Assert.Equal("rule", e.Field);
        Assert.Contains("\"dfa\"", e.Reason);
    }

    [Fact]
    public void ASizeThatDoesNotFitItsNeighbourIsRejected()
    {
        var e = Reject(With("\"in\": 32", "\"in\": 64"));
        Assert.Equal("network.layers[1].in", e.Field);
        Assert.Contains("previous layer", e.Reason);
    }

    [Fact]
    public void AnOutputThatDoesNotFitTheDataSetIsRejected()
    {
        var e = Reject(With("\"out\": 10", "\"out\": 9"));
        Assert.Equal("network.layers[1].out", e.Field);
        Assert.Contains("10", e.Reason);
    }

    [Fact]
    public void AnUnknownDataSetIsRejected()
    {
        var e = Reject(With("\"name\": \"mnist\"", "\"name\": \"cifar-10\""));
        Assert.Contains(e.Problems, p => p.Field == "data.name");
    }

    [Fact]
    public void AMissingRequiredSectionIsRejected()
    {
        var e = Reject("""{ "name": "t", "data": { "name": "mnist" } }""");
        Assert.Contains("network", e.Reason);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var e = Reject(With("\"epochs\": 2", "\"epochs\": -1, \"batchSize\": 0"));
        Assert.Contains(e.Problems, p => p.Field == "epochs");
        Assert.Contains(e.Problems, p => p.Field == "batchSize");
    }

    [Fact]
    public void BrokenJsonNamesTheLine()
    {
        var e = Reject("{\n \"name\": \"t\",\n \"epochs\": ,\n}");
        Assert.Contains("line 3", e.Reason);
    }

    [Fact]
    public void OverridesAreValidated()
    {
        var c = RunConfigLoader.Parse(Valid, "exp.json");
        Assert.Equal(9, RunConfigLoader.WithOverrides(c, 9, 5).Epochs);
        Assert.Equal(5UL, RunConfigLoader.WithOverrides(c, null, 5).Seed);
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.WithOverrides(c, -3, null));
        Assert.Equal("epochs", e.Field);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.Load(Path.Combine(Path.GetTempPath(), "no-such-apical-config.json")));
        Assert.Contains("not found", e.Reason);
    }

    [Fact]
    public void ShippedConfigsAreValid()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "configs"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var files = Directory.GetFiles(Path.Combine(dir!.FullName, "configs"), "*.json");
        Assert.Contains(files, f => f.EndsWith("default.json", StringComparison.Ordinal));
        foreach (var f in files) RunConfigLoader.Load(f);
    }
}

public class EngineConfigTests
{
    [Fact]
    public void LinkLossIsRejectedForDiscreteRules()
    {
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("""
            { "data": { "name": "mnist" }, "network": { "layers": [ { "out": 10, "activation": "linear" } ] },
              "engine": { "loss": 0.1, "jitter": -1 } }
            """, "x.json"));
        Assert.Contains(e.Problems, p => p.Field == "engine.loss" && p.Reason.Contains("applies to gle, dfc and strong-dfc runs, not bp"));
        Assert.Contains(e.Problems, p => p.Field == "engine.jitter" && p.Reason.Contains(">= 0"));
    }

    /// <summary>configs/mnist-dfc.json with its engine section and schedules replaced.</summary>
    private static string Dfc(string engine, string schedule = "jacobi", int? sleepSteps = null)
    {
        string text = File.ReadAllText(Apical.Core.Tests.TestSupport.RepoFiles.Find("configs/mnist-dfc.json"))
            .Replace("\"type\": \"inproc\"", engine)
            .Replace("\"schedule\": \"sweep\"", $"\"schedule\": \"{schedule}\"");
        return sleepSteps is { } t ? text.Replace("\"steps\": 44", $"\"steps\": {t}") : text;
    }

    [Fact]
    public void A_dfc_run_takes_a_link_delay_jitter_and_loss_on_the_jacobi_schedule()
    {
        var c = RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"delay\": 3"), "d.json");
        Assert.Equal(3, c.Engine.Delay);
        c = RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"jitter\": 2, \"loss\": 0.1"), "d.json");
        Assert.Equal((2, 0.1), (c.Engine.Jitter, c.Engine.Loss));
    }

    [Fact]
    public void Dfc_link_models_that_cannot_work_are_refused_naming_the_field()
    {
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"jitter\": 1", schedule: "sweep"), "d.json"));
        Assert.Contains(e.Problems, p => p.Field == "engine.jitter" && p.Reason.Contains("a jitter of 1 steps needs the Jacobi schedule"));
        e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"loss\": 0.1", schedule: "sweep"), "d.json"));
        Assert.Contains(e.Problems, p => p.Field == "engine.loss" && p.Reason.Contains("dfc.forward.schedule is \"sweep\""));

        e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"delay\": 2", schedule: "sweep"), "d.json"));
        Assert.Contains(e.Problems, p => p.Field == "engine.delay" && p.Reason.Contains("dfc.forward.schedule is \"sweep\""));
        Assert.Contains(e.Problems, p => p.Field == "engine.delay" && p.Reason.Contains("dfc.feedback.schedule is \"sweep\""));

        // 784-256-256-256-10 (L = 4) at delay 9: layer 1's noise answers after 9·5 − 1 = 44 steps, beyond a 44-step sleep
        e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"delay\": 9"), "d.json"));
        Assert.Contains(e.Problems, p => p.Field == "dfc.feedback.steps" && p.Reason.Contains("needs at least 46"));
        RunConfigLoader.Parse(Dfc("\"type\": \"inproc\", \"delay\": 9", sleepSteps: 46), "d.json");
    }
}
