namespace FastGate.Core.Configuration;

/// <summary>CA certificates that a peer's chain must end in (PEM bundles; several files allowed).</summary>
internal sealed class TruststoreConfig
{
    public List<string> Certificates { get; set; } = [];

    /// <summary>Certificate revocation lists (PEM or DER), each signed by a CA of this truststore; when present, client chains are checked against them.</summary>
    public List<string> Crls { get; set; } = [];
}
