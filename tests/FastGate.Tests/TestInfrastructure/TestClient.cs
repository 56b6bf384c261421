using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>A raw HTTP/1.1 client over a real socket (optionally TLS with SNI), for byte-level tests against the gateway.</summary>
public sealed class TestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));

    private TestClient(Socket socket, Stream stream)
    {
        _socket = socket;
        Stream = stream;
        Reader = new BufferedReader(stream);
    }

    public Stream Stream { get; }
    public BufferedReader Reader { get; }
    public SslStream? Ssl => Stream as SslStream;

    public static async Task<TestClient> ConnectAsync(IPEndPoint endpoint, string? sni = null, X509Certificate2? trustedCa = null,
        X509Certificate2? clientCertificate = null, X509Certificate2Collection? clientChain = null)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (sni is not null || trustedCa is not null)
        {
            var ssl = new SslStream(stream);
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = sni ?? "",
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, _, _, _) => true, // tests inspect the certificate themselves
            };
            if (clientCertificate is not null)
            {
                // Presented whatever the server hints, with its intermediates.
                options.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, clientChain, offline: true);
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ssl.AuthenticateAsClientAsync(options, cts.Token);
            stream = ssl;
        }
        return new TestClient(socket, stream);
    }

    public async Task SendAsync(string raw) => await SendAsync(Encoding.ASCII.GetBytes(raw));

    public async Task SendAsync(byte[] raw)
    {
        await Stream.WriteAsync(raw, _timeout.Token);
        await Stream.FlushAsync(_timeout.Token);
    }

    public async Task<TestHttpResponse> ReadResponseAsync(bool headRequest = false)
    {
        var head = await HttpWire.ReadHeadAsync(Reader, _timeout.Token) ?? throw new EndOfStreamException("connection closed before a response");
        var status = int.Parse(head.Split(' ')[1]);
        if (headRequest || status is 204 or 304 || status < 200)
        {
            return new TestHttpResponse(status, head, [], []);
        }
        var framed = HttpWire.HeaderValue(head, "Content-Length") is not null || HttpWire.HeaderValue(head, "Transfer-Encoding") is not null;
        var (raw, decoded) = await HttpWire.ReadBodyAsync(Reader, head, untilClose: !framed, _timeout.Token);
        return new TestHttpResponse(status, head, raw, decoded);
    }

    /// <summary>True when the server closed the connection (EOF) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan? within = null)
    {
        using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(5));
        try
        {
            return await Reader.ReadByteAsync(cts.Token) < 0;
        }
        catch (IOException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _socket.Dispose();
        _timeout.Dispose();
    }
}

public sealed record TestHttpResponse(int Status, string Head, byte[] RawBody, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
    public string? Header(string name) => HttpWire.HeaderValue(Head, name);
}
