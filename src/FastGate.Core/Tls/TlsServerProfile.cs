using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>
/// A TLS server profile ready for handshakes: the certificate context is built once with its chain, and the
/// options object is shared by every handshake that selects this profile. Immutable.
/// </summary>
internal sealed class TlsServerProfile
{
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];

    public TlsServerProfile(string name, LoadedKeystore keystore, SslProtocols protocols)
    {
        Name = name;
        Keystore = keystore;
        CertificateContext = SslStreamCertificateContext.Create(keystore.Certificate, keystore.Intermediates, offline: true);
        Options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = CertificateContext,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = Http11Only,
            ClientCertificateRequired = false,
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public string Name { get; }
    public LoadedKeystore Keystore { get; }
    public SslStreamCertificateContext CertificateContext { get; }
    public SslServerAuthenticationOptions Options { get; }
}
