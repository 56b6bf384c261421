using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Routing;

namespace FastGate.Benchmarks;

/// <summary>Route lookup with 1,000 API definitions (Routing module).</summary>
[MemoryDiagnoser]
public class RouteLookupBenchmarks
{
    private RouteTable<string> _table = null!;
    private readonly byte[] _host = Encoding.ASCII.GetBytes("tenant250.example.com:8443");
    private readonly byte[] _path = Encoding.ASCII.GetBytes("/orders/v2/items/42");
    private readonly byte[] _anyHost = Encoding.ASCII.GetBytes("unknown.example.com");
    private readonly byte[] _anyPath = Encoding.ASCII.GetBytes("/api250/users/7");

    [GlobalSetup]
    public void Setup()
    {
        var apis = new List<(IReadOnlyList<string>, string, string)>();
        for (var i = 0; i < 500; i++)
        {
            apis.Add(([$"tenant{i}.example.com"], "/orders/v2", $"tenant-{i}"));
            apis.Add(([], $"/api{i}", $"api-{i}"));
        }
        _table = new RouteTable<string>(apis);
    }

    [Benchmark(Baseline = true)]
    public string? HostSpecificRoute() => _table.Match(_host, _path);

    [Benchmark]
    public string? HostlessRouteAmong500() => _table.Match(_anyHost, _anyPath);
}
