using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Tls;

namespace FastGate.Benchmarks;

/// <summary>
/// What a TLS connection pays each time it goes idle (once per request on a keep-alive connection): OpenSSL's
/// record buffers and the memory BIOs are checked and given back. The baseline is a plain connection (no handle).
/// </summary>
[MemoryDiagnoser]
public class TlsIdleBuffersBenchmarks
{
    private Socket _listener = null!;
    private SslStream _server = null!;
    private SslStream _client = null!;
    private TlsConnectionBuffers _plain;
    private TlsConnectionBuffers _tls;

    [GlobalSetup]
    public void Setup()
    {
        var certificate = ExchangeFixture.CreateSelfSigned("CN=bench.test");
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(_listener.LocalEndPoint!);
        var accepted = _listener.Accept();
        _server = new SslStream(new NetworkStream(accepted, ownsSocket: true));
        _client = new SslStream(new NetworkStream(client, ownsSocket: true));
        Task.WaitAll(
            _server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }),
            _client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "bench.test",
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            }));
        // One small exchange, as a keep-alive connection has before it goes idle.
        var buffer = new byte[1024];
        _client.Write(ExchangeFixture.Request);
        _server.ReadAtLeast(buffer, ExchangeFixture.Request.Length);
        _server.Write(ExchangeFixture.UpstreamResponse);
        _client.ReadAtLeast(buffer, ExchangeFixture.UpstreamResponse.Length);
        _tls = TlsIdleBuffers.For(_server);
        if (_tls.Ssl is null)
        {
            throw new InvalidOperationException(TlsIdleBuffers.Describe());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
        _listener.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool PlainConnection() => _plain.Release();

    [Benchmark]
    public bool IdleTlsConnection() => _tls.Release();
}
