using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FastGate.Benchmarks;

/// <summary>What the whole-exchange benchmarks share: the request, the upstream's answer, the server certificate.</summary>
internal static class ExchangeFixture
{
    public static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /api/items/42?x=1 HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n");

    public static readonly byte[] UpstreamResponse = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 64\r\n\r\n" + new string('x', 64));

    /// <summary>A self-signed ECDSA P-256 certificate with its private key, valid from yesterday for <paramref name="days"/> days.</summary>
    public static X509Certificate2 CreateSelfSigned(string subject, int days = 30)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(days));
        return X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes a self-signed ECDSA certificate for bench.test as server.crt / server.key into <paramref name="directory"/>.</summary>
    public static void WriteServerCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=bench.test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(directory, "server.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), key.ExportPkcs8PrivateKeyPem());
    }
}
