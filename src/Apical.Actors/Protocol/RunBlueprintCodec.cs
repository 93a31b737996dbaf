using System.Text.Json;
using System.Text.Json.Serialization;
using Apical.Core.Model;

namespace Apical.Actors.Protocol;

/// <summary>
/// Reads the config of a <see cref="RunBlueprint"/>. The coordinator validated the config against its data
/// before the run started; entities have no data set, so they only parse it (in the JSON form
/// <see cref="RunConfigLoader.ToJson"/> writes) and build their node from it.
/// </summary>
internal static class RunBlueprintCodec
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    public static RunBlueprint Create(RunConfig config, int inputWidth, int outputWidth, bool classification)
        => new(RunConfigLoader.ToJson(config), inputWidth, outputWidth, classification);

    public static RunConfig ReadConfig(RunBlueprint blueprint)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(blueprint.ConfigJson, Options)
                ?? throw new ConfigException("(run blueprint)", "(root)", "the config is null");
        }
        catch (JsonException e)
        {
            throw new ConfigException("(run blueprint)", e.Path ?? "(root)", e.Message, e);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        return o;
    }
}
