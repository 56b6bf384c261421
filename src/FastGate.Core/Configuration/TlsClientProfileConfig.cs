namespace FastGate.Core.Configuration;

/// <summary>How FastGate connects to HTTPS upstreams (IBM API Connect's "TLS client profile").</summary>
internal sealed class TlsClientProfileConfig
{
    /// <summary>Absent: the system trust store.</summary>
    public string? Truststore { get; set; }

    public List<string> Protocols { get; set; } = ["1.2", "1.3"];
}
