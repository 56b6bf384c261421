namespace FastGate.Core.Configuration;

/// <summary>A built-in echo upstream started with the gateway, so the shipped config routes somewhere real on a fresh machine.</summary>
internal sealed class DemoUpstreamConfig
{
    public string? Name { get; set; }
    public string? Address { get; set; }

    /// <summary>A keystore for HTTPS; absent: plain HTTP.</summary>
    public string? Keystore { get; set; }

    /// <summary>A truststore: when set, the HTTPS demo upstream requires a client certificate issued by one of its CAs.</summary>
    public string? ClientTruststore { get; set; }
}
