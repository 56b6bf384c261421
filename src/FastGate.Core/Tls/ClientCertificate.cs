using System.Net.Security;

namespace FastGate.Core.Tls;

/// <summary>A keystore used as a client certificate towards upstreams; its certificate context is built once. Immutable.</summary>
internal sealed class ClientCertificate(LoadedKeystore keystore)
{
    public LoadedKeystore Keystore { get; } = keystore;
    public string Name => Keystore.Name;

    /// <summary>Presented whatever CA names the upstream hints at (no selection callback second-guesses it).</summary>
    public SslStreamCertificateContext Context { get; } =
        SslStreamCertificateContext.Create(keystore.Certificate, keystore.Intermediates, offline: true);

    public override string ToString() => $"{Name} ({Keystore.Certificate.Subject}, SHA-256 {Keystore.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)[..16]}…)";
}
