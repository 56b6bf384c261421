using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>
/// A raw-socket HTTP/1.1 upstream on 127.0.0.1 with an ephemeral port, optionally TLS. It records every request
/// exactly as it arrived and counts connections, so tests can assert what the gateway sent and how it pooled.
/// </summary>
public sealed class TestUpstream : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<RecordedRequest, TestResponse> _respond;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<RecordedRequest> _requests = Channel.CreateUnbounded<RecordedRequest>();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private int _connections;

    private readonly X509Certificate2? _clientCa;

    private TestUpstream(Func<RecordedRequest, TestResponse>? respond, X509Certificate2? certificate, X509Certificate2? clientCa = null)
    {
        _clientCa = clientCa;
        _respond = respond ?? (r => TestResponse.Text(r.Target));
        _certificate = certificate;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }
    public int ConnectionCount => Volatile.Read(ref _connections);
    public ConcurrentQueue<RecordedRequest> Received { get; } = new();
    public string HttpUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Set by a client certificate the upstream saw (TLS only).</summary>
    public ConcurrentQueue<X509Certificate2?> ClientCertificates { get; } = new();

    public static TestUpstream Start(Func<RecordedRequest, TestResponse>? respond = null, X509Certificate2? tlsCertificate = null) =>
        new(respond, tlsCertificate);

    private readonly ManualResetEventSlim _held = new();

    /// <summary>
    /// An upstream that keeps the requests <paramref name="hold"/> selects unanswered until <see cref="ReleaseHeld"/>
    /// (at most 10 s): a slow backend, for timeouts, pool limits, reloads and shutdown during a request.
    /// </summary>
    public static TestUpstream StartHolding(Func<RecordedRequest, bool> hold, Func<RecordedRequest, TestResponse>? respond = null)
    {
        TestUpstream? upstream = null;
        respond ??= r => TestResponse.Text(r.Target);
        upstream = new TestUpstream(r =>
        {
            if (hold(r))
            {
                upstream!._held.Wait(TimeSpan.FromSeconds(10));
            }
            return respond(r);
        }, null);
        return upstream;
    }

    public void ReleaseHeld() => _held.Set();

    /// <summary>An HTTPS upstream that requires a client certificate issued by <paramref name="clientCa"/>; it answers with the subject it saw.</summary>
    public static TestUpstream StartMutualTls(X509Certificate2 serverCertificate, X509Certificate2 clientCa) =>
        new(r => TestResponse.Text(r.ClientCertificateSubject ?? "(none)"), serverCertificate, clientCa);

    public async Task<RecordedRequest> NextRequestAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _requests.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Closes every accepted connection from the upstream side (as a server's idle timeout would).</summary>
    public void CloseAllConnections()
    {
        foreach (var socket in _sockets)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            socket.Dispose();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            var id = Interlocked.Increment(ref _connections);
            _sockets.Add(socket);
            _ = ServeAsync(socket, id);
        }
    }

    private async Task ServeAsync(Socket socket, int id)
    {
        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            string? clientSubject = null;
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream);
                var options = new SslServerAuthenticationOptions { ServerCertificate = _certificate };
                if (_clientCa is not null)
                {
                    options.ClientCertificateRequired = true;
                    options.RemoteCertificateValidationCallback = (_, certificate, _, _) => IssuedBy(certificate as X509Certificate2, _clientCa);
                }
                await ssl.AuthenticateAsServerAsync(options, _stop.Token);
                ClientCertificates.Enqueue(ssl.RemoteCertificate as X509Certificate2);
                clientSubject = ssl.RemoteCertificate?.Subject;
                stream = ssl;
            }
            await using (stream)
            {
                var reader = new BufferedReader(stream);
                while (true)
                {
                    var head = await HttpWire.ReadHeadAsync(reader, _stop.Token);
                    if (head is null)
                    {
                        return;
                    }
                    var (raw, decoded) = await HttpWire.ReadBodyAsync(reader, head, untilClose: false, _stop.Token);
                    var request = new RecordedRequest(id, head, raw, decoded, clientSubject);
                    Received.Enqueue(request);
                    _requests.Writer.TryWrite(request);
                    var response = _respond(request);
                    await stream.WriteAsync(response.Bytes, _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    if (response.Then is { } then)
                    {
                        await then.Gate.WaitAsync(TimeSpan.FromSeconds(10), _stop.Token);
                        await stream.WriteAsync(then.Bytes, _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                    }
                    if (response.Close)
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                      or System.Security.Authentication.AuthenticationException or EndOfStreamException or TimeoutException)
        {
            // the peer went away, a handshake was refused, or the test ended
        }
        finally
        {
            socket.Dispose(); // a refused handshake closes the connection, as a real server's would
        }
    }

    private static bool IssuedBy(X509Certificate2? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public async ValueTask DisposeAsync()
    {
        _held.Set();
        _stop.Cancel();
        _listener.Dispose();
        CloseAllConnections();
        await _acceptLoop;
        _stop.Dispose();
        _held.Dispose();
    }
}
