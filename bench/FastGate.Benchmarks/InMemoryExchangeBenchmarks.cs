using System.Buffers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Configuration;
using FastGate.Core.Proxy;
using FastGate.Core.Upstream;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastGate.Benchmarks;

/// <summary>
/// One whole proxied exchange (client → FastGate → upstream → client) over in-memory pipes — no sockets, no kernel:
/// the gateway's real connection handler, parser, router, pool and forwarding code, keep-alive on both legs, a
/// 64-byte response; plain and TLS (SslStream on both ends of the client leg). The client and the fake upstream are
/// allocation-free, so the allocations reported (process-wide) are FastGate's: the steady-state target is 0 B.
/// </summary>
[MemoryDiagnoser]
public class InMemoryExchangeBenchmarks
{

    private readonly byte[] _buffer = new byte[16 * 1024];
    private string _directory = null!;
    private Gateway _gateway = null!;
    private InMemoryDuplexStream _plain = null!;
    private SslStream _tls = null!;
    private int _plainResponseLength;
    private int _tlsResponseLength;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fastgate-bench-").FullName;
        ExchangeFixture.WriteServerCertificate(_directory);
        var file = Path.Combine(_directory, "bench.json");
        // The target is never dialled: the pool holds one in-memory upstream connection that never expires.
        File.WriteAllText(file, """
        {
          "keystores": { "server": { "certificate": "server.crt", "private_key": "server.key" } },
          "tls_server_profiles": { "default": { "keystore": "server" } },
          "listeners": [
            { "name": "http", "address": "127.0.0.1:0" },
            { "name": "https", "address": "127.0.0.1:0", "tls": { "server_profile": "default" } }
          ],
          "apis": [ { "name": "bench", "listen_path": "/api", "strip_listen_path": true, "target_url": "http://127.0.0.1:1/v1" } ],
          "upstream_pool": { "idle_timeout_seconds": 86400, "max_lifetime_seconds": 86400 },
          "access_log": { "enabled": false },
          "reload": { "watch_files": false }
        }
        """);
        _gateway = Gateway.Start(ConfigLoader.Load(file), NullLoggerFactory.Instance);

        var (upstreamClientEnd, upstreamServerEnd) = InMemoryDuplexStream.CreatePair();
        _ = ServeUpstreamAsync(upstreamServerEnd);
        var pool = _gateway.State.Current.Apis[0].Endpoint.Pool;
        if (!pool.TryReserve(out _))
        {
            throw new InvalidOperationException("the pool has no free slot");
        }
        pool.Created();
        pool.Return(new UpstreamConnection(null, upstreamClientEnd, pool));

        var (plainClient, plainServer) = InMemoryDuplexStream.CreatePair();
        _ = _gateway.Handler.HandleStreamAsync(plainServer, null, _gateway.Listener("http"));
        _plain = plainClient;

        var (tlsClient, tlsServer) = InMemoryDuplexStream.CreatePair();
        _ = _gateway.Handler.HandleStreamAsync(tlsServer, null, _gateway.Listener("https"));
        _tls = new SslStream(tlsClient);
        _tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "bench.test",
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        }).GetAwaiter().GetResult();

        // Learn each response's exact length once (the gateway's head differs from the upstream's).
        _plainResponseLength = LearnLengthAsync(_plain).AsTask().GetAwaiter().GetResult();
        _tlsResponseLength = LearnLengthAsync(_tls).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tls.Dispose();
        _plain.Dispose();
        _gateway.StopAsync().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public ValueTask<int> PlainHttpGet() => ExchangeAsync(_plain, _plainResponseLength);

    [Benchmark]
    public ValueTask<int> TlsGet() => ExchangeAsync(_tls, _tlsResponseLength);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ExchangeAsync(Stream client, int responseLength)
    {
        await client.WriteAsync(ExchangeFixture.Request).ConfigureAwait(false);
        var total = 0;
        while (total < responseLength)
        {
            var read = await client.ReadAsync(_buffer.AsMemory(total)).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidOperationException("the gateway closed the connection");
            }
            total += read;
        }
        return total;
    }

    private async ValueTask<int> LearnLengthAsync(Stream client)
    {
        await client.WriteAsync(ExchangeFixture.Request).ConfigureAwait(false);
        var total = 0;
        while (true)
        {
            total += await client.ReadAsync(_buffer.AsMemory(total)).ConfigureAwait(false);
            var end = _buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8);
            if (end >= 0 && total >= end + 4 + 64)
            {
                if (!_buffer.AsSpan(0, total).StartsWith("HTTP/1.1 200"u8))
                {
                    throw new InvalidOperationException("unexpected response: " + Encoding.ASCII.GetString(_buffer, 0, total));
                }
                return end + 4 + 64;
            }
        }
    }

    /// <summary>The upstream: answers every request head with the same 64-byte response.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ServeUpstreamAsync(InMemoryDuplexStream connection)
    {
        var reader = System.IO.Pipelines.PipeReader.Create(connection);
        while (true)
        {
            var result = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            while (end is not null && !EndsHead(buffer, end.Value))
            {
                end = buffer.Slice(buffer.GetPosition(1, end.Value)).PositionOf((byte)'\n');
            }
            if (end is { } position)
            {
                reader.AdvanceTo(buffer.GetPosition(1, position));
                await connection.WriteAsync(ExchangeFixture.UpstreamResponse).ConfigureAwait(false);
                continue;
            }
            if (result.IsCompleted)
            {
                return;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    // True when the LF at <paramref name="lf"/> ends a blank line (CRLF CRLF).
    private static bool EndsHead(ReadOnlySequence<byte> buffer, SequencePosition lf)
    {
        var upToLf = buffer.Slice(0, buffer.GetPosition(1, lf));
        if (upToLf.Length < 4)
        {
            return false;
        }
        Span<byte> tail = stackalloc byte[4];
        upToLf.Slice(upToLf.Length - 4).CopyTo(tail);
        return tail.SequenceEqual("\r\n\r\n"u8);
    }
}
