using BenchmarkDotNet.Attributes;
using FastGate.Core.Configuration;
using FastGate.Core.Upstream;

namespace FastGate.Benchmarks;

/// <summary>Tyk-style upstream certificate lookup with 1,000 domains (Upstream module): must not allocate.</summary>
[MemoryDiagnoser]
public class UpstreamCertificateLookupBenchmarks
{
    private UpstreamCertificateMap<string> _map = null!;

    [GlobalSetup]
    public void Setup()
    {
        var entries = new List<(UpstreamCertificateKey, string)>();
        for (var i = 0; i < 1000; i++)
        {
            var key = (i % 4) switch
            {
                0 => $"svc{i}.internal.example",
                1 => $"svc{i}.internal.example:8443",
                2 => $"*.team{i}.example",
                _ => $"*.team{i}.example:9443",
            };
            UpstreamCertificateKey.TryParse(key, out var parsed, out _);
            entries.Add((parsed, key));
        }
        UpstreamCertificateKey.TryParse("*", out var fallback, out _);
        entries.Add((fallback, "*"));
        _map = new UpstreamCertificateMap<string>(entries);
    }

    [Benchmark(Baseline = true)]
    public bool ExactHost() => _map.TryFind("svc500.internal.example", 443, out _, out _);

    [Benchmark]
    public bool HostAndPort() => _map.TryFind("svc501.internal.example", 8443, out _, out _);

    [Benchmark]
    public bool WildcardAndPort() => _map.TryFind("api.team503.example", 9443, out _, out _);

    [Benchmark]
    public bool FallsThroughToDefault() => _map.TryFind("unknown.elsewhere.example", 443, out _, out _);
}
