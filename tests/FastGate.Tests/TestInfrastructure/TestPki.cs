using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>A throw-away PKI for one test: a root CA that issues server and client certificates, written as PEM files.</summary>
public sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey;

    public TestPki(string name = "FastGate Test CA")
    {
        Directory = Path.Combine(Path.GetTempPath(), "fastgate-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Ca = request.CreateSelfSigned(now.AddDays(-30), now.AddYears(5));
        CaFile = Write($"ca-{Guid.NewGuid():N}.crt", Ca.ExportCertificatePem());
    }

    public string Directory { get; }
    public X509Certificate2 Ca { get; }
    public string CaFile { get; }

    public IssuedCertificate IssueServer(string subjectName, params string[] dnsNames)
    {
        var sans = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.Length == 0 ? [subjectName] : dnsNames)
        {
            sans.AddDnsName(name);
        }
        sans.AddIpAddress(IPAddress.Loopback);
        return Issue($"CN={subjectName}", "1.3.6.1.5.5.7.3.1", sans.Build());
    }

    public IssuedCertificate IssueClient(string subjectName) => Issue($"CN={subjectName}", "1.3.6.1.5.5.7.3.2", null);

    /// <summary>A client certificate with chosen validity, usage and issuer (default: this CA).</summary>
    public IssuedCertificate IssueClient(string subjectName, DateTimeOffset notBefore, DateTimeOffset notAfter,
        string usage = "1.3.6.1.5.5.7.3.2", IssuedCertificate? issuer = null) =>
        Issue($"CN={subjectName}", usage, null, notBefore, notAfter, issuer?.Certificate);

    /// <summary>An intermediate CA signed by this root.</summary>
    public IssuedCertificate IssueIntermediate(string subjectName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Ca, now.AddDays(-20), now.AddYears(2), RandomNumberGenerator.GetBytes(12).Select((b, i) => i == 0 ? (byte)(b & 0x7F) : b).ToArray());
        var withKey = issued.CopyWithPrivateKey(key);
        var id = Guid.NewGuid().ToString("N");
        var certFile = Write($"{id}.crt", withKey.ExportCertificatePem());
        var keyFile = Write($"{id}.key", key.ExportPkcs8PrivateKeyPem());
        return new IssuedCertificate(X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), certFile, keyFile);
    }

    /// <summary>A CRL signed by this CA that revokes <paramref name="revoked"/>, written as PEM.</summary>
    public string WriteCrl(params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        }
        var now = DateTimeOffset.UtcNow;
        var crl = builder.Build(Ca, 1, now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: now.AddMinutes(-5));
        return Write($"{Guid.NewGuid():N}.crl", PemEncoding.WriteString("X509 CRL", crl));
    }

    private IssuedCertificate Issue(string subject, string usage, X509Extension? sans) =>
        Issue(subject, usage, sans, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), null);

    private IssuedCertificate Issue(string subject, string usage, X509Extension? sans, DateTimeOffset notBefore, DateTimeOffset notAfter, X509Certificate2? issuer)
    {
        issuer ??= Ca;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (sans is not null)
        {
            request.CertificateExtensions.Add(sans);
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(issuer, notBefore, notAfter, serial);
        var withKey = issued.CopyWithPrivateKey(key);
        var id = Guid.NewGuid().ToString("N");
        var certFile = Write($"{id}.crt", withKey.ExportCertificatePem());
        var keyFile = Write($"{id}.key", key.ExportPkcs8PrivateKeyPem());
        // Reload through PKCS#12 so SslStream can use the key on every platform.
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new IssuedCertificate(usable, certFile, keyFile);
    }

    public string Write(string fileName, string content)
    {
        var path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        _caKey.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

public sealed record IssuedCertificate(X509Certificate2 Certificate, string CertificateFile, string KeyFile);
