using Apical.Core.Model;
using Apical.Core.Rules.Dfc;
using Apical.Core.Tests.TestSupport;
using Xunit;

namespace Apical.Core.Tests.Model;

/// <summary>`apical train --set PATH=VALUE`: one field of a config changed from the command line, checked like a file.</summary>
public class ConfigOverridesTests
{
    private static RunConfig Dfc() => RunConfigLoader.Load(RepoFiles.Find("configs/mnist-dfc.json"));

    private static ConfigException Refused(RunConfig config, params string[] sets) =>
        Assert.Throws<ConfigException>(() => ConfigOverrides.Apply(config, sets));

    [Fact]
    public void NumbersBareWordsFlagsAndListElementsAreSet()
    {
        var before = Dfc();
        var after = ConfigOverrides.Apply(before, ["engine.delay=3", "dfc.forward.schedule=jacobi", "dfc.feedback.schedule=\"jacobi\"",
            "network.layers.1.out=128", "dfc.freezeFbWeights=true", "name=ablation", "optimizer.lr=2.5e-4"]);
        Assert.Equal(3, after.Engine.Delay);
        Assert.Equal(TransmissionSchedule.Jacobi, after.Dfc!.Forward.Schedule);
        Assert.Equal(TransmissionSchedule.Jacobi, after.Dfc.Feedback.Schedule);
        Assert.Equal(128, after.Network.Layers[1].Out);
        Assert.True(after.Dfc.FreezeFbWeights);
        Assert.Equal("ablation", after.Name);
        Assert.Equal(2.5e-4, after.Optimizer.LearningRate);
        // everything else is the file's
        Assert.Equal(before.Dfc!.Forward.Dt, after.Dfc.Forward.Dt);
        Assert.Equal(before.Network.Layers[0].Out, after.Network.Layers[0].Out);
        Assert.Equal(RunConfigLoader.ToJson(before), RunConfigLoader.ToJson(ConfigOverrides.Apply(before, [])));
    }

    [Fact]
    public void LaterAssignmentsWinAndNullClearsAnOptionalField()
    {
        var c = ConfigOverrides.Apply(Dfc(), ["dfc.forward.sigmaOut=0.5", "dfc.forward.sigmaOut=0.25"]);
        Assert.Equal(0.25, c.Dfc!.Forward.SigmaOut);
        Assert.Null(ConfigOverrides.Apply(c, ["dfc.forward.sigmaOut=null"]).Dfc!.Forward.SigmaOut);
    }

    [Fact]
    public void AnUnsetSectionIsCreatedAndItsFieldsAreCheckedByTheReader()
    {
        var bp = RunConfigLoader.Load(RepoFiles.Find("configs/mnist-bp.json"));
        Assert.Null(bp.Dfc);
        var e = Refused(bp, "dfc.forward.tauv=0.1");
        Assert.Contains("tauv", e.Field + e.Reason);
    }

    [Theory]
    [InlineData("engine.dealy=3", "engine.dealy", "unknown field 'dealy' in 'engine'; it has type")]
    [InlineData("dfc.forward.tauv=0.1", "dfc.forward.tauv", "did you mean 'tauV'?")]
    [InlineData("dfc.forward.effectiveSigmaOut=1", "dfc.forward.effectiveSigmaOut", "derived from other fields")]
    [InlineData("network.layers.9.out=3", "network.layers.9", "has 4 elements")]
    [InlineData("network.layers.first.out=3", "network.layers.first", "expected an element index")]
    [InlineData("seed.x=3", "seed.x", "is a value, not a section")]
    [InlineData("epochs", "epochs", "expected PATH=VALUE")]
    [InlineData("dfc..dt=1", "dfc..dt", "empty field name")]
    [InlineData("dfc.forward.dt=-1", "dfc.forward.dt", "must be > 0")]
    [InlineData("dfc.forward.schedule=jacobbi", "dfc.forward.schedule", "\"jacobi\"")]
    [InlineData("network.layers.0.out=wide", "network.layers[0].out", "expected an integer")]
    public void BadAssignmentsAreRefusedNamingTheField(string set, string field, string reason)
    {
        var e = Refused(Dfc(), set);
        Assert.Equal(ConfigOverrides.Source, e.File);
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Reason);
    }
}
