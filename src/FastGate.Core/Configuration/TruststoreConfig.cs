namespace FastGate.Core.Configuration;

/// <summary>CA certificates that a peer's chain must end in (PEM bundles; several files allowed).</summary>
internal sealed class TruststoreConfig
{
    public List<string> Certificates { get; set; } = [];
}
