namespace FastGate.Core.Configuration;

/// <summary>How FastGate presents itself to clients (IBM API Connect's "TLS server profile").</summary>
internal sealed class TlsServerProfileConfig
{
    public string? Keystore { get; set; }

    /// <summary>"1.2" and/or "1.3" ("1.0"/"1.1" only with <see cref="AllowLegacyProtocols"/>).</summary>
    public List<string> Protocols { get; set; } = ["1.2", "1.3"];

    /// <summary>Permit TLS 1.0/1.1 in <see cref="Protocols"/> for clients that cannot do better (warned at start).</summary>
    public bool AllowLegacyProtocols { get; set; }

    /// <summary>"none", "request" (ask; connections without a certificate proceed without identity) or "require".</summary>
    public string ClientCertificateMode { get; set; } = "none";

    /// <summary>The CAs client certificates must chain to (their names are sent in the handshake).</summary>
    public string? Truststore { get; set; }

    /// <summary>Also trust the system's CA store for client certificates (off: only the truststore).</summary>
    public bool UseSystemTrustStore { get; set; }

    /// <summary>IANA names; empty: the platform's defaults.</summary>
    public List<string> CipherSuites { get; set; } = [];
}
