using Akka.Configuration;

namespace Apical.Actors;

/// <summary>The runtime's HOCON defaults (the embedded <c>reference.conf</c>): serializer bindings, remoting,
/// failure detection, split-brain resolver and sharding settings.</summary>
public static class ApicalConfig
{
    private static readonly Lazy<Config> Reference = new(Load);

    /// <summary>The embedded defaults.</summary>
    public static Config Default => Reference.Value;

    /// <summary><paramref name="overrides"/> (HOCON) on top of the defaults.</summary>
    public static Config With(string overrides) => ConfigurationFactory.ParseString(overrides).WithFallback(Default);

    private static Config Load()
    {
        using var stream = typeof(ApicalConfig).Assembly.GetManifestResourceStream("Apical.Actors.reference.conf")
            ?? throw new InvalidOperationException("the embedded reference.conf of Apical.Actors is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
