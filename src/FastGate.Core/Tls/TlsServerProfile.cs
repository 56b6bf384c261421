using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>
/// A TLS server profile ready for handshakes: the certificate context is built once with its chain (and, for
/// mutual TLS, the truststore's CA names to send in the handshake); the options object is shared by every
/// handshake that selects this profile. Immutable.
/// </summary>
internal sealed class TlsServerProfile
{
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];

    public TlsServerProfile(string name, LoadedKeystore keystore, SslProtocols protocols,
        IReadOnlyList<TlsCipherSuite>? cipherSuites = null, ClientCertificateValidator? clientValidator = null)
    {
        Name = name;
        Keystore = keystore;
        ClientValidator = clientValidator;
        var mutual = clientValidator is { Mode: not ClientCertificateMode.None };
        var trust = mutual && clientValidator!.Truststore is { } truststore
            ? SslCertificateTrust.CreateForX509Collection(truststore.Certificates, sendTrustInHandshake: true)
            : null;
        CertificateContext = SslStreamCertificateContext.Create(keystore.Certificate, keystore.Intermediates, offline: true, trust);
        Options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = CertificateContext,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = Http11Only,
            ClientCertificateRequired = mutual,
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (mutual)
        {
            Options.RemoteCertificateValidationCallback = clientValidator!.Callback;
            Options.CertificateChainPolicy = clientValidator.ChainPolicy;
        }
        if (cipherSuites is { Count: > 0 } && !OperatingSystem.IsWindows())
        {
            Options.CipherSuitesPolicy = new CipherSuitesPolicy(cipherSuites);
        }
    }

    public string Name { get; }
    public LoadedKeystore Keystore { get; }
    public SslStreamCertificateContext CertificateContext { get; }
    public SslServerAuthenticationOptions Options { get; }

    /// <summary>Null when the profile asks for no client certificate.</summary>
    public ClientCertificateValidator? ClientValidator { get; }

    public ClientCertificateMode ClientCertificateMode => ClientValidator?.Mode ?? ClientCertificateMode.None;
}
