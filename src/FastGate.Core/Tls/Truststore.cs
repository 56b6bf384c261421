using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>CA certificates and the CRLs signed by them, loaded once. Immutable.</summary>
internal sealed class Truststore(string name, X509Certificate2Collection certificates, IReadOnlyList<CertificateRevocationList> crls)
{
    public string Name { get; } = name;
    public X509Certificate2Collection Certificates { get; } = certificates;
    public IReadOnlyList<CertificateRevocationList> Crls { get; } = crls;

    /// <summary>The CRL that revokes <paramref name="certificate"/>, or null.</summary>
    public CertificateRevocationList? FindRevocation(X509Certificate2 certificate)
    {
        foreach (var crl in Crls)
        {
            if (crl.Issuer.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) && crl.IsRevoked(certificate))
            {
                return crl;
            }
        }
        return null;
    }
}
