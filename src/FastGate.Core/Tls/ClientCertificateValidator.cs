using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>
/// Decides whether a client certificate is accepted by a TLS server profile: the chain must end in the profile's
/// truststore (client-sent intermediates allowed; the system store only when the profile says so), be within its
/// validity period, allow clientAuth, and not be revoked by a CRL of the truststore. One per profile; immutable.
/// </summary>
internal sealed class ClientCertificateValidator
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    public ClientCertificateValidator(ClientCertificateMode mode, Truststore? truststore, bool useSystemTrustStore)
    {
        Mode = mode;
        Truststore = truststore;
        UseSystemTrustStore = useSystemTrustStore;
        ChainPolicy = new X509ChainPolicy
        {
            TrustMode = truststore is null ? X509ChainTrustMode.System : X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck, // CRLs of the truststore are checked below, offline
            VerificationFlags = X509VerificationFlags.NoFlag,
            DisableCertificateDownloads = true, // never fetch AIA intermediates during a handshake: the client sends its chain
        };
        ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        if (truststore is not null)
        {
            ChainPolicy.CustomTrustStore.AddRange(truststore.Certificates);
        }
        Callback = Validate;
    }

    public ClientCertificateMode Mode { get; }
    public Truststore? Truststore { get; }
    public bool UseSystemTrustStore { get; }
    public X509ChainPolicy ChainPolicy { get; }

    /// <summary>Built once per profile, so handshakes allocate no delegate.</summary>
    public RemoteCertificateValidationCallback Callback { get; }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var reason = Check(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())), chain, errors);
        if (reason is not null && sender is ServerSslStream stream)
        {
            stream.ClientCertificateFailure = reason;
        }
        return reason is null;
    }

    /// <summary>Null when accepted, else why not (for the log line).</summary>
    public string? Check(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Mode == ClientCertificateMode.Require ? "no client certificate was sent (mode require)" : null;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 || chain is null)
        {
            var reason = Describe(certificate, chain);
            if (!(UseSystemTrustStore && Truststore is not null && BuildsWithSystemTrust(certificate, chain)))
            {
                return reason;
            }
        }
        if (Truststore is not null && chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                if (Truststore.FindRevocation(element.Certificate) is { } crl)
                {
                    return $"certificate '{element.Certificate.Subject}' (serial {element.Certificate.SerialNumber}) is revoked by {crl.Source}";
                }
            }
        }
        return null;
    }

    private string Describe(X509Certificate2 certificate, X509Chain? chain)
    {
        var flags = X509ChainStatusFlags.NoError;
        if (chain is not null)
        {
            foreach (var status in chain.ChainStatus)
            {
                flags |= status.Status;
            }
        }
        var subject = certificate.Subject;
        var now = DateTime.Now;
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return certificate.NotAfter < now
                ? $"client certificate '{subject}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"
                : certificate.NotBefore > now
                    ? $"client certificate '{subject}' is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"
                    : $"a CA certificate in the chain of '{subject}' is outside its validity period";
        }
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return $"client certificate '{subject}' (issuer '{certificate.Issuer}') does not chain to truststore '{Truststore?.Name ?? "system"}'";
        }
        if ((flags & X509ChainStatusFlags.NotValidForUsage) != 0)
        {
            return $"client certificate '{subject}' is not valid for client authentication (extended key usage)";
        }
        if ((flags & X509ChainStatusFlags.NotSignatureValid) != 0)
        {
            return $"client certificate '{subject}' has an invalid signature";
        }
        return $"client certificate '{subject}' was refused: {(flags == X509ChainStatusFlags.NoError ? "chain could not be built" : flags.ToString())}";
    }

    private static bool BuildsWithSystemTrust(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(certificate);
    }
}
