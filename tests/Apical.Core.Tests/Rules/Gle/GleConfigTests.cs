using Apical.Core.Model;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Rules.Gle;

/// <summary>Spec check 8 (validation) and the shipped configs.</summary>
public class GleConfigTests
{
    [Theory]
    [InlineData("configs/mnist1d-gle.json")]
    [InlineData("configs/mnist1d-gle-instantaneous.json")]
    [InlineData("configs/lagline-gle.json")]
    [InlineData("configs/lagline-gle-instantaneous.json")]
    [InlineData("configs/lagnet-gle.json")]
    [InlineData("configs/lagnet-gle-instantaneous.json")]
    public void ShippedConfigsLoad(string path)
    {
        var config = RunConfigLoader.Load(RepoFiles.Find(path));
        Assert.Equal(RuleKind.Gle, config.Rule);
        Assert.NotNull(config.Gle);
    }

    [Fact]
    public void MnistConfigHasTheFifteenThousandParameterNet()
    {
        var c = RunConfigLoader.Load(RepoFiles.Find("configs/mnist1d-gle.json"));
        int previous = 1, parameters = 0;
        foreach (var l in c.Network.Layers) { parameters += (previous + 1) * l.Out; previous = l.Out; }
        Assert.Equal(14_956, parameters);
    }

    [Fact]
    public void TimeConstantBelowDtIsRejectedNamingLayerNeuronAndValue()
    {
        string json = File.ReadAllText(RepoFiles.Find("configs/lagnet-gle.json"));
        var text = System.Text.RegularExpressions.Regex.Replace(json, "\"value\": 0.1\\b", "\"value\": 0.005");
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(text, "test.json"));
        Assert.Contains("gle.layers[0].tauR[1].value", e.Message);
        Assert.Contains("neurons 1..1", e.Message);
        Assert.Contains("0.005", e.Message);
    }

    [Fact]
    public void NegativeDtIsRejected()
    {
        string text = File.ReadAllText(RepoFiles.Find("configs/lagline-gle.json")).Replace("\"dt\": 0.01", "\"dt\": -1");
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(text, "test.json"));
        Assert.Contains("gle.dt", e.Message);
    }

    [Theory]
    [InlineData("\"delay\": 2", "engine.delay")]
    [InlineData("\"pipelineDepth\": 1", "engine.pipelineDepth")]
    [InlineData("\"jitter\": -1", "engine.jitter")]
    [InlineData("\"loss\": 1.5", "engine.loss")]
    public void EngineLinkSettingsThatMeanNothingForGleAreRejected(string engine, string field)
    {
        string text = File.ReadAllText(RepoFiles.Find("configs/lagline-gle.json")).Replace("\"type\": \"inproc\"", $"\"type\": \"inproc\", {engine}");
        var e = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(text, "test.json"));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void EngineJitterAndLossReachTheRatesFeedbackAndOutputLinksOnly()
    {
        string text = File.ReadAllText(RepoFiles.Find("configs/lagline-gle.json"))
            .Replace("\"type\": \"inproc\"", "\"type\": \"inproc\", \"jitter\": 2, \"loss\": 0.1");
        var config = RunConfigLoader.Parse(text, "test.json");
        var topology = GraphBuilders.Build(config, new GraphShape(1, 1, false));
        foreach (var link in topology.Links)
        {
            bool modelled = link.Kind is MessageKind.Rates or MessageKind.Feedback or MessageKind.Output;
            Assert.Equal(modelled ? (2, 0.1) : (0, 0.0), (link.Jitter, link.Loss));
        }
        Assert.Equal(4, topology.Links.Count(l => l.HasModel)); // student Rates, Feedback, Output; teacher Rates
    }
}
