namespace FastGate.Core.Configuration;

/// <summary>
/// A certificate with its private key: PEM files (chain after the leaf in the certificate file), a PKCS#12/PFX
/// file, or a mounted Kubernetes TLS secret (a directory holding tls.crt and tls.key).
/// </summary>
internal sealed class KeystoreConfig
{
    public string? KubernetesSecret { get; set; }

    public string? Certificate { get; set; }
    public string? PrivateKey { get; set; }
    public string? Pfx { get; set; }
    public string? Password { get; set; }
}
