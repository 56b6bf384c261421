namespace FastGate.Core.Configuration;

/// <summary>How FastGate presents itself to clients (IBM API Connect's "TLS server profile").</summary>
internal sealed class TlsServerProfileConfig
{
    public string? Keystore { get; set; }

    /// <summary>"1.2" and/or "1.3".</summary>
    public List<string> Protocols { get; set; } = ["1.2", "1.3"];

    /// <summary>IANA names; empty: the platform's defaults.</summary>
    public List<string> CipherSuites { get; set; } = [];
}
