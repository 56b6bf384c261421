using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Infrastructure;
using FastGate.Core.Tls;

namespace FastGate.Benchmarks;

/// <summary>
/// TLS server profile selection with 1,000 host names (Tls module): what every handshake (SNI) and, with several
/// policies on a listener, every request (the Host/SNI agreement check) pays. Must stay flat and allocation-free.
/// </summary>
[MemoryDiagnoser]
public class SniSelectionBenchmarks
{
    private ServerTlsSelector _selector = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=bench", key, HashAlgorithmName.SHA256);
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pkcs12), null);
        var keystore = new LoadedKeystore("bench", "memory", certificate, []);
        var profiles = new List<KeyValuePair<string, TlsServerProfile>>();
        for (var i = 0; i < 1000; i++)
        {
            var profile = new TlsServerProfile($"p{i}", keystore, SslProtocols.Tls12 | SslProtocols.Tls13);
            profiles.Add(new(i % 2 == 0 ? $"host{i}.tenants.example" : $"*.zone{i}.example", profile));
        }
        _selector = new ServerTlsSelector(new TlsServerProfile("default", keystore, SslProtocols.Tls13), new HostNameMap<TlsServerProfile>(profiles), true);
    }

    [Benchmark(Baseline = true)]
    public object ExactSni() => _selector.Select("host500.tenants.example");

    [Benchmark]
    public object WildcardSni() => _selector.Select("api.zone501.example");

    [Benchmark]
    public object UnknownSniFallsToDefault() => _selector.Select("nobody.example");

    [Benchmark]
    public object HostHeaderBytes() => _selector.SelectForHost("host500.tenants.example"u8);
}
