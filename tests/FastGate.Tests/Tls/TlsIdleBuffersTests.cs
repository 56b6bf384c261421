using System.Net.Security;
using System.Net.Sockets;
using FastGate.Core.Tls;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Tls;

/// <summary>
/// Releasing OpenSSL's record buffers and SslStream's memory-BIO buffers between requests reaches the real SSL handle
/// of this runtime's SslStream (it fails when a runtime update renames the field, moves libssl or stops using memory
/// BIOs), and the connection keeps working after it.
/// </summary>
public sealed class TlsIdleBuffersTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Release_OnAnIdleConnection_FreesOpenSslBuffers_AndTrafficContinues()
    {
        Assert.True(TlsIdleBuffers.IsAvailable, TlsIdleBuffers.Describe());
        await using var pair = await TlsPair.ConnectAsync(_pki);
        var buffers = TlsIdleBuffers.For(pair.Server); // once per connection, as the gateway does
        var handle = buffers.Ssl;
        Assert.NotNull(handle);
        for (var round = 0; round < 3; round++)
        {
            await pair.ExchangeAsync(100 + round, 20_000); // a response of more than one TLS record

            // Both directions have used OpenSSL's read and write buffers; nothing is pending, so OpenSSL frees them.
            // SslStream's output BIO grew to a whole 16 KiB record; it is emptied too.
            Assert.True(TlsIdleBuffers.BioBufferBytes(handle) >= 16 * 1024, $"round {round}: BIOs hold {TlsIdleBuffers.BioBufferBytes(handle)} B");
            Assert.True(buffers.Release(), $"round {round}: OpenSSL kept its buffers");
            Assert.Equal(0, TlsIdleBuffers.BioBufferBytes(handle));
        }
    }

    [Fact]
    public async Task Release_AfterTheHandshakeAndASmallExchange_EmptiesTheBios()
    {
        Assert.True(TlsIdleBuffers.IsAvailable, TlsIdleBuffers.Describe());
        await using var pair = await TlsPair.ConnectAsync(_pki);
        var buffers = TlsIdleBuffers.For(pair.Server);
        var handle = buffers.Ssl;

        // The handshake's flights passed through both BIOs: ~1–2 KiB an idle connection would otherwise hold.
        Assert.True(TlsIdleBuffers.BioBufferBytes(handle) > 0, "the handshake left the BIOs empty: nothing to measure");
        buffers.Release();
        Assert.Equal(0, TlsIdleBuffers.BioBufferBytes(handle));

        await pair.ExchangeAsync(100, 64);
        Assert.True(TlsIdleBuffers.BioBufferBytes(handle) > 0);
        buffers.Release();
        Assert.Equal(0, TlsIdleBuffers.BioBufferBytes(handle));
        await pair.ExchangeAsync(100, 64); // and the connection still works
    }

    [Fact]
    public async Task Retention_BusyConnectionKeepsItsBuffers_AQuietOneGivesThemBack()
    {
        Assert.True(TlsIdleBuffers.IsAvailable, TlsIdleBuffers.Describe());
        await using var pair = await TlsPair.ConnectAsync(_pki);
        var buffers = TlsIdleBuffers.For(pair.Server);
        var handle = buffers.Ssl;
        const long millisecond = 1; // the buffers' clock is Environment.TickCount64
        var now = Environment.TickCount64;
        // A request arriving `gap` after the connection went idle, answered, then idle again (as the gateway calls them).
        async Task RequestAfterAsync(long gap)
        {
            buffers.OnActive(now += gap);
            await pair.ExchangeAsync(100, 20_000);
            buffers.OnIdle(now += millisecond);
        }
        bool BuffersGivenBack() => TlsIdleBuffers.BioBufferBytes(handle) == 0;
        try
        {
            // The first request comes 1 ms after the handshake: that wait says nothing about the client, so after its
            // response the buffers go back.
            buffers.OnIdle(now, afterResponse: false);
            await RequestAfterAsync(millisecond);
            Assert.False(buffers.Kept);
            Assert.True(BuffersGivenBack());

            // The next request 1 ms later: busy, so at the next idle moment the buffers stay (and count in the budget).
            await RequestAfterAsync(millisecond);
            Assert.True(buffers.Kept);
            Assert.True(TlsIdleBuffers.BioBufferBytes(handle) >= 16 * 1024, "a busy connection gave its buffers back");

            // A request after 2 s of quiet: no longer busy, the buffers go back and the budget place is freed.
            await RequestAfterAsync(2000 * millisecond);
            Assert.False(buffers.Kept);
            Assert.True(BuffersGivenBack());

            // Busy again, then the pool's sweep: buffers kept since before its cut-off go back; younger ones stay.
            await RequestAfterAsync(millisecond);
            Assert.True(buffers.Kept);
            buffers.ReleaseIfIdleSince(now);
            Assert.True(buffers.Kept);
            buffers.ReleaseIfIdleSince(now + 1);
            Assert.False(buffers.Kept);
            Assert.True(BuffersGivenBack());

            await pair.ExchangeAsync(100, 20_000); // the connection works after every release
        }
        finally
        {
            buffers.Forget();
        }
    }

    [Fact]
    public void RetentionBudget_RefusesPastItsMaximum()
    {
        var claimed = 0;
        try
        {
            while (TlsBufferRetention.TryClaim())
            {
                claimed++;
                Assert.True(claimed <= TlsBufferRetention.MaxConnections, "the budget let more connections keep buffers than its maximum");
            }
            Assert.True(TlsBufferRetention.Kept <= TlsBufferRetention.MaxConnections);
        }
        finally
        {
            for (var i = 0; i < claimed; i++)
            {
                TlsBufferRetention.Free();
            }
        }
    }

    [Fact]
    public async Task Release_BeforeTheHandshake_DoesNothing()
    {
        var (socket, peer) = await Loopback.ConnectedPairAsync();
        using var socketOwner = socket;
        using var peerOwner = peer;
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        Assert.Null(TlsIdleBuffers.For(stream).Ssl); // no SSL handle before the handshake
        var none = default(TlsConnectionBuffers);
        Assert.False(none.Release());
    }

    /// <summary>A TLS connection over loopback: FastGate's side (server) and a client, handshake done.</summary>
    private sealed class TlsPair : IAsyncDisposable
    {
        private readonly Socket _clientSocket;
        private readonly Socket _serverSocket;
        private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));

        private TlsPair(Socket clientSocket, Socket serverSocket)
        {
            _clientSocket = clientSocket;
            _serverSocket = serverSocket;
            Server = new SslStream(new NetworkStream(serverSocket, ownsSocket: false));
            Client = new SslStream(new NetworkStream(clientSocket, ownsSocket: false));
        }

        public SslStream Server { get; }
        public SslStream Client { get; }

        public static async Task<TlsPair> ConnectAsync(TestPki pki)
        {
            var server = pki.IssueServer("idle.test", "idle.test").Certificate;
            var (clientSocket, serverSocket) = await Loopback.ConnectedPairAsync();
            var pair = new TlsPair(clientSocket, serverSocket);
            await Task.WhenAll(
                pair.Server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = server }, pair._timeout.Token),
                pair.Client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "idle.test",
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == server.GetCertHashString(),
                }, pair._timeout.Token));
            return pair;
        }

        /// <summary>A request from the client and a response from the server, each read whole by the other side.</summary>
        public async Task ExchangeAsync(int requestBytes, int responseBytes)
        {
            await Client.WriteAsync(new byte[requestBytes], _timeout.Token);
            await Server.ReadExactlyAsync(new byte[requestBytes], _timeout.Token);
            await Server.WriteAsync(new byte[responseBytes], _timeout.Token);
            await Client.ReadExactlyAsync(new byte[responseBytes], _timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Client.DisposeAsync();
            _clientSocket.Dispose();
            _serverSocket.Dispose();
            _timeout.Dispose();
        }
    }
}
