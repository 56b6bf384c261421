using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>
/// Generates development certificates as PEM files: a CA, a server certificate for the given hosts, a client
/// certificate for an API consumer and one for calling upstreams. What the seeds do by hand with openssl.
/// Never for production: the CA key is written next to the certificates.
/// </summary>
internal static class DevelopmentCertificateAuthority
{
    public const string CaCertificate = "ca.crt";
    public const string CaKey = "ca.key";
    public const string ServerCertificate = "server.crt";
    public const string ServerKey = "server.key";
    public const string ClientCertificate = "client.crt";
    public const string ClientKey = "client.key";
    public const string UpstreamClientCertificate = "upstream-client.crt";
    public const string UpstreamClientKey = "upstream-client.key";

    private static readonly string[] AllFiles =
        [CaCertificate, CaKey, ServerCertificate, ServerKey, ClientCertificate, ClientKey, UpstreamClientCertificate, UpstreamClientKey];

    private const string HostsFile = "hosts.txt";

    /// <summary>True when every file is already there for these hosts (nothing to generate).</summary>
    public static bool IsComplete(string directory, IReadOnlyList<string> hosts)
    {
        var hostsFile = Path.Combine(directory, HostsFile);
        if (!File.Exists(hostsFile) || File.ReadAllText(hostsFile).Trim() != string.Join(',', hosts))
        {
            return false;
        }
        foreach (var file in AllFiles)
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                return false;
            }
        }
        return true;
    }

    public static void Generate(string directory, IReadOnlyList<string> hosts, int validDays = 365)
    {
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FastGate Development CA, O=FastGate", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddDays(validDays * 2));

        WritePem(directory, CaCertificate, ca.ExportCertificatePem());
        WritePem(directory, CaKey, caKey.ExportPkcs8PrivateKeyPem());

        var sans = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                sans.AddIpAddress(ip);
            }
            else
            {
                sans.AddDnsName(host);
            }
        }
        sans.AddIpAddress(IPAddress.Loopback);
        sans.AddIpAddress(IPAddress.IPv6Loopback);
        Issue(directory, ServerCertificate, ServerKey, $"CN={hosts[0]}", ca, now, validDays, "1.3.6.1.5.5.7.3.1", sans.Build());
        Issue(directory, ClientCertificate, ClientKey, "CN=dev-consumer, O=FastGate Development", ca, now, validDays, "1.3.6.1.5.5.7.3.2", null);
        Issue(directory, UpstreamClientCertificate, UpstreamClientKey, "CN=fastgate-upstream-client, O=FastGate Development", ca, now, validDays, "1.3.6.1.5.5.7.3.2", null);
        File.WriteAllText(Path.Combine(directory, HostsFile), string.Join(',', hosts) + "\n");
    }

    private static void Issue(string directory, string certFile, string keyFile, string subject, X509Certificate2 ca,
        DateTimeOffset notBefore, int validDays, string usageOid, X509Extension? sans)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (sans is not null)
        {
            request.CertificateExtensions.Add(sans);
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca, notBefore, notBefore.AddDays(validDays), serial);
        // The chain after the leaf, as servers send it (the CA is a root: clients must trust it themselves).
        WritePem(directory, certFile, certificate.ExportCertificatePem());
        WritePem(directory, keyFile, key.ExportPkcs8PrivateKeyPem());
    }

    private static void WritePem(string directory, string file, string pem)
    {
        var path = Path.Combine(directory, file);
        File.WriteAllText(path, pem + "\n");
        if (!OperatingSystem.IsWindows() && file.EndsWith(".key", StringComparison.Ordinal))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
