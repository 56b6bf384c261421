using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FastGate.Core.Tls;

/// <summary>
/// A client certificate that identified a connection (or a request, when a trusted load balancer passed it).
/// Derived values are computed once, on first use. Not thread-safe; used by one connection.
/// </summary>
internal sealed class ClientIdentity(X509Certificate2 certificate)
{
    private string? _fingerprint;
    private byte[]? _xfcc;

    public X509Certificate2 Certificate { get; } = certificate;
    public string Subject => Certificate.Subject;

    /// <summary>SHA-256 of the DER bytes, upper-case hex.</summary>
    public string Fingerprint => _fingerprint ??= Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Envoy's X-Forwarded-Client-Cert element: Hash, Subject, URI and DNS SANs.</summary>
    public byte[] ForwardedClientCertValue => _xfcc ??= BuildXfcc();

    private byte[] BuildXfcc()
    {
        var value = new StringBuilder();
        value.Append("Hash=").Append(Fingerprint.ToLowerInvariant());
        value.Append(";Subject=\"").Append(Subject.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        foreach (var extension in Certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension sans)
            {
                foreach (var dns in sans.EnumerateDnsNames())
                {
                    value.Append(";DNS=").Append(dns);
                }
                foreach (var uri in UrisOf(sans))
                {
                    value.Append(";URI=").Append(uri);
                }
            }
        }
        return Encoding.ASCII.GetBytes(value.ToString());
    }

    private static List<string> UrisOf(X509SubjectAlternativeNameExtension sans)
    {
        // GeneralName [6] uniformResourceIdentifier IA5String (RFC 5280 §4.2.1.6).
        var uris = new List<string>();
        var reader = new System.Formats.Asn1.AsnReader(sans.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var uriTag = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 6);
        while (reader.HasData)
        {
            if (reader.PeekTag().HasSameClassAndValue(uriTag))
            {
                uris.Add(reader.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }
        return uris;
    }
}
