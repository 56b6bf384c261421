using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>How FastGate verifies HTTPS upstreams: a custom truststore (or the system store) and the TLS versions. Immutable.</summary>
internal sealed class TlsClientProfile(string name, X509Certificate2Collection? trustedRoots, SslProtocols protocols)
{
    public static readonly TlsClientProfile SystemDefault = new("(system trust store)", null, SslProtocols.Tls12 | SslProtocols.Tls13);

    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];

    public string Name { get; } = name;

    /// <summary>CA certificates an upstream chain must end in; null for the system trust store.</summary>
    public X509Certificate2Collection? TrustedRoots { get; } = trustedRoots;

    public SslProtocols Protocols { get; } = protocols;

    /// <summary>Client options for one upstream endpoint; built once per endpoint, not per connection.</summary>
    public SslClientAuthenticationOptions CreateOptions(string targetHost)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = Protocols,
            ApplicationProtocols = Http11Only,
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (TrustedRoots is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(TrustedRoots);
            options.CertificateChainPolicy = policy;
        }
        return options;
    }
}
