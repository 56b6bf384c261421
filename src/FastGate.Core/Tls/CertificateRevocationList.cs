using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>
/// A parsed X.509 CRL (RFC 5280 §5): its issuer and revoked serial numbers, accepted only when its signature
/// verifies with a CA of the truststore it is listed in. Immutable.
/// </summary>
internal sealed class CertificateRevocationList
{
    private readonly HashSet<string> _revokedSerials;

    private CertificateRevocationList(X500DistinguishedName issuer, HashSet<string> revokedSerials, DateTimeOffset? nextUpdate, string source)
    {
        Issuer = issuer;
        _revokedSerials = revokedSerials;
        NextUpdate = nextUpdate;
        Source = source;
    }

    public X500DistinguishedName Issuer { get; }
    public DateTimeOffset? NextUpdate { get; }
    public string Source { get; }
    public int Count => _revokedSerials.Count;

    /// <summary>Whether <paramref name="certificate"/> (issued by this CRL's issuer) is listed as revoked.</summary>
    public bool IsRevoked(X509Certificate2 certificate) =>
        _revokedSerials.Contains(certificate.SerialNumber.TrimStart('0').ToUpperInvariant());

    /// <exception cref="CertificateLoadException">Not a CRL, or not signed by any of <paramref name="issuers"/>.</exception>
    public static CertificateRevocationList Load(string file, X509Certificate2Collection issuers)
    {
        byte[] der;
        try
        {
            var bytes = File.ReadAllBytes(file);
            der = bytes.Length > 0 && bytes[0] == (byte)'-' ? PemToDer(file, System.Text.Encoding.ASCII.GetString(bytes)) : bytes;
        }
        catch (IOException e)
        {
            throw new CertificateLoadException(file, $"cannot read the CRL: {e.Message}", e);
        }

        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbsBytes = outer.PeekEncodedValue().ToArray();
            var tbs = outer.ReadSequence();
            var signatureAlgorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger(); // version
            }
            tbs.ReadSequence(); // signature algorithm (repeated inside)
            var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
            ReadTime(tbs); // thisUpdate
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }
            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    var serial = entry.ReadIntegerBytes().Span;
                    revoked.Add(NormalizeSerial(serial));
                }
            }

            X509Certificate2? signer = null;
            foreach (var candidate in issuers)
            {
                if (candidate.SubjectName.RawData.AsSpan().SequenceEqual(issuer.RawData) && VerifySignature(candidate, signatureAlgorithm, tbsBytes, signature))
                {
                    signer = candidate;
                    break;
                }
            }
            if (signer is null)
            {
                throw new CertificateLoadException(file, $"the CRL of '{issuer.Name}' is not signed by any CA certificate of its truststore");
            }
            return new CertificateRevocationList(issuer, revoked, nextUpdate, file);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            throw new CertificateLoadException(file, $"not a valid X.509 CRL (PEM or DER): {e.Message}", e);
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static bool VerifySignature(X509Certificate2 issuer, string algorithm, byte[] tbs, byte[] signature)
    {
        var hash = algorithm switch
        {
            "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default)
        {
            return false;
        }
        using var ecdsa = issuer.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        using var rsa = issuer.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(tbs, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static byte[] PemToDer(string file, string pem)
    {
        var fields = PemEncoding.Find(pem);
        var label = pem[fields.Label];
        if (label != "X509 CRL")
        {
            throw new CertificateLoadException(file, $"expected a PEM 'X509 CRL', found '{label}'");
        }
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    /// <summary>Serial numbers as unsigned big-endian hex without leading zeros, so both encodings compare equal.</summary>
    private static string NormalizeSerial(ReadOnlySpan<byte> serial)
    {
        var value = new BigInteger(serial, isUnsigned: true, isBigEndian: true);
        return value.ToString("X", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0');
    }
}
