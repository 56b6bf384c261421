namespace FastGate.Core.Configuration;

internal sealed class ListenerTlsConfig
{
    /// <summary>The TLS server profile for clients without SNI or with a name no entry of <see cref="Sni"/> matches.</summary>
    public string? ServerProfile { get; set; }

    /// <summary>Host name (exact or "*.domain") to TLS server profile.</summary>
    public Dictionary<string, string> Sni { get; set; } = [];
}
