using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Configuration;
using FastGate.Core.Proxy;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastGate.Benchmarks;

/// <summary>
/// One whole proxied exchange (client → FastGate → upstream → client) over loopback, keep-alive on both legs,
/// 64-byte response. The client and the upstream are blocking and allocation-free, so the allocations reported
/// (process-wide) are the gateway's: the steady-state target is 0 B per request.
/// </summary>
[MemoryDiagnoser]
public class ProxyExchangeBenchmarks
{

    private readonly byte[] _buffer = new byte[16 * 1024];
    private string _directory = null!;
    private Gateway _gateway = null!;
    private Socket _upstreamListener = null!;
    private Thread _upstreamThread = null!;
    private Socket _plain = null!;
    private SslStream _tls = null!;
    private int _responseLength;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fastgate-bench-").FullName;
        _upstreamListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _upstreamListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _upstreamListener.Listen(16);
        _upstreamThread = new Thread(ServeUpstream) { IsBackground = true };
        _upstreamThread.Start();

        ExchangeFixture.WriteServerCertificate(_directory);
        var port = ((IPEndPoint)_upstreamListener.LocalEndPoint!).Port;
        var file = Path.Combine(_directory, "bench.json");
        File.WriteAllText(file, $$"""
        {
          "keystores": { "server": { "certificate": "server.crt", "private_key": "server.key" } },
          "tls_server_profiles": { "default": { "keystore": "server" } },
          "listeners": [
            { "name": "http", "address": "127.0.0.1:0" },
            { "name": "https", "address": "127.0.0.1:0", "tls": { "server_profile": "default" } }
          ],
          "apis": [ { "name": "bench", "listen_path": "/api", "strip_listen_path": true, "target_url": "http://127.0.0.1:{{port}}/v1" } ],
          "access_log": { "enabled": false },
          "reload": { "watch_files": false }
        }
        """);
        _gateway = Gateway.Start(ConfigLoader.Load(file), NullLoggerFactory.Instance);

        _plain = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _plain.Connect(_gateway.Listener("http").LocalEndPoint);
        var tlsSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        tlsSocket.Connect(_gateway.Listener("https").LocalEndPoint);
        _tls = new SslStream(new NetworkStream(tlsSocket, ownsSocket: true));
        _tls.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = "bench.test",
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        });

        // Learn the exact response length once (the gateway's head differs from the upstream's).
        _plain.Send(ExchangeFixture.Request);
        _responseLength = ReadHead(b => _plain.Receive(b)) ;
        PlainHttpGet();
        TlsGet();
    }

    private int ReadHead(Func<Span<byte>, int> receive)
    {
        var total = 0;
        while (true)
        {
            total += receive(_buffer.AsSpan(total));
            var end = _buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8);
            if (end >= 0 && total >= end + 4 + 64)
            {
                return end + 4 + 64;
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int PlainHttpGet()
    {
        _plain.Send(ExchangeFixture.Request);
        var total = 0;
        while (total < _responseLength)
        {
            total += _plain.Receive(_buffer.AsSpan(total));
        }
        return total;
    }

    [Benchmark]
    public int TlsGet()
    {
        _tls.Write(ExchangeFixture.Request);
        var total = 0;
        while (total < _responseLength)
        {
            total += _tls.Read(_buffer.AsSpan(total));
        }
        return total;
    }

    private void ServeUpstream()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = _upstreamListener.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            new Thread(() => Serve(connection)) { IsBackground = true }.Start();
        }
    }

    private static void Serve(Socket connection)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = connection.Receive(buffer.AsSpan(filled));
                if (read == 0)
                {
                    return;
                }
                filled += read;
                int end;
                while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
                {
                    connection.Send(ExchangeFixture.UpstreamResponse);
                    var rest = filled - (end + 4);
                    buffer.AsSpan(end + 4, rest).CopyTo(buffer);
                    filled = rest;
                }
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            connection.Dispose();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _tls.Dispose();
        _gateway.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _upstreamListener.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
