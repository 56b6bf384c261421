using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Upstream;

namespace FastGate.Benchmarks;

/// <summary>
/// Renting and returning a pooled upstream connection (Upstream module): with the liveness probe of a real socket
/// (a request that cannot be retried), and without it (a retryable request within the unprobed reuse window).
/// </summary>
[MemoryDiagnoser]
public class PoolBenchmarks
{
    private EndpointPool _pool = null!;
    private Socket _listener = null!;
    private Socket _accepted = null!;

    [GlobalSetup]
    public void Setup()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(_listener.LocalEndPoint!);
        _accepted = _listener.Accept();
        _pool = new EndpointPool("http://127.0.0.1:1") { IdleTimeout = TimeSpan.FromHours(1), MaxLifetime = TimeSpan.FromHours(1) };
        _pool.TryReserve(out _);
        _pool.Return(new UpstreamConnection(client, new NetworkStream(client, ownsSocket: true), _pool));
    }

    [Benchmark(Baseline = true)]
    public bool RentAndReturn() => RentAndReturn(retryable: false);

    [Benchmark]
    public bool RentAndReturnRetryable() => RentAndReturn(retryable: true);

    private bool RentAndReturn(bool retryable)
    {
        var connection = _pool.TryRentIdle(retryable);
        if (connection is null)
        {
            return false;
        }
        _pool.Return(connection);
        return true;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.CloseIdle(all: true);
        _accepted.Dispose();
        _listener.Dispose();
    }
}
