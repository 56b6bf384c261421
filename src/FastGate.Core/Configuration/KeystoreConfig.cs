namespace FastGate.Core.Configuration;

/// <summary>A certificate with its private key: PEM files (chain after the leaf in the certificate file), or a PKCS#12/PFX file.</summary>
internal sealed class KeystoreConfig
{
    public string? Certificate { get; set; }
    public string? PrivateKey { get; set; }
    public string? Pfx { get; set; }
    public string? Password { get; set; }
}
