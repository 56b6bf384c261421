using System.Security.Authentication;
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
        var certificate = ExchangeFixture.CreateSelfSigned("CN=bench", days: 1);
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
