using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>How FastGate verifies HTTPS upstreams: a custom truststore (or the system store) and the TLS versions. Immutable.</summary>
internal sealed class TlsClientProfile(string name, X509Certificate2Collection? trustedRoots, SslProtocols protocols,
    IReadOnlyList<TlsCipherSuite>? cipherSuites = null, string? sni = null, bool insecureSkipVerify = false)
{
    public static readonly TlsClientProfile SystemDefault = new("(system trust store)", null, SslProtocols.Tls12 | SslProtocols.Tls13);

#pragma warning disable CA5359 // only with insecure_skip_verify, which the operator sets on purpose and start-up logs as a warning
    private static readonly RemoteCertificateValidationCallback AcceptAny = static (_, _, _, _) => true;
#pragma warning restore CA5359

    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];

    public string Name { get; } = name;

    /// <summary>CA certificates an upstream chain must end in; null for the system trust store.</summary>
    public X509Certificate2Collection? TrustedRoots { get; } = trustedRoots;

    public SslProtocols Protocols { get; } = protocols;
    public IReadOnlyList<TlsCipherSuite>? CipherSuites { get; } = cipherSuites is { Count: > 0 } ? cipherSuites : null;

    /// <summary>The SNI name to send instead of the target host, or null.</summary>
    public string? Sni { get; } = sni;

    public bool InsecureSkipVerify { get; } = insecureSkipVerify;

    public string ServerNameFor(string targetHost) => Sni ?? targetHost;

    /// <summary>Client options for one upstream endpoint; built once per endpoint, not per connection.</summary>
    public SslClientAuthenticationOptions CreateOptions(string targetHost, ClientCertificate? clientCertificate)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerNameFor(targetHost),
            ClientCertificateContext = clientCertificate?.Context,
            EnabledSslProtocols = Protocols,
            ApplicationProtocols = Http11Only,
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (clientCertificate is null)
        {
            options.LocalCertificateSelectionCallback = TrackingSslStream.RecordRequest;
        }
        if (CipherSuites is not null && !OperatingSystem.IsWindows())
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(CipherSuites);
        }
        if (InsecureSkipVerify)
        {
            options.RemoteCertificateValidationCallback = AcceptAny;
        }
        else if (TrustedRoots is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true, // no network fetches inside a handshake
            };
            policy.CustomTrustStore.AddRange(TrustedRoots);
            options.CertificateChainPolicy = policy;
        }
        return options;
    }
}
