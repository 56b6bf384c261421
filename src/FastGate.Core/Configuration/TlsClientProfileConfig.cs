namespace FastGate.Core.Configuration;

/// <summary>How FastGate connects to HTTPS upstreams (IBM API Connect's "TLS client profile").</summary>
internal sealed class TlsClientProfileConfig
{
    /// <summary>Absent: the system trust store.</summary>
    public string? Truststore { get; set; }

    public List<string> Protocols { get; set; } = ["1.2", "1.3"];

    /// <summary>Permit TLS 1.0/1.1 in <see cref="Protocols"/> for old upstreams (warned at start).</summary>
    public bool AllowLegacyProtocols { get; set; }

    /// <summary>IANA names (TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ...); empty: the platform's defaults.</summary>
    public List<string> CipherSuites { get; set; } = [];

    /// <summary>The SNI name (and the name the upstream certificate must carry); absent: the target URL's host.</summary>
    public string? Sni { get; set; }

    /// <summary>Accept any upstream certificate. For test setups only: logged as a warning at start.</summary>
    public bool InsecureSkipVerify { get; set; }
}
