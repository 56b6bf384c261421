using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using FastGate.Core.Transport;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Transport;

/// <summary>
/// The streams under every client and upstream connection (.NET sockets' SocketStream and the epoll transport's
/// RawSocketStream), over real loopback sockets: bytes arrive whole and in order whether a send completes at once or
/// has to wait, the end of the connection and a reset surface as NetworkStream's do, and SslStream runs over them.
/// </summary>
public sealed class SocketStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The stream a transport puts over a connected socket (owning it).</summary>
    internal static Stream Open(string transport, Socket socket) => transport switch
    {
        "sockets" => new SocketStream(socket, ownsSocket: true),
        "epoll" => new RawSocketStream(socket, EpollLoop.LeastLoaded()),
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };

    [Theory]
    [InlineData("sockets")]
    [InlineData("epoll")]
    public async Task ReadAfterZeroByteWait_ReturnsTheBytesThatArrived(string transport)
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        using var peer = client;
        await using var stream = Open(transport, server);
        using var cancel = new CancellationTokenSource(Timeout);

        var wait = stream.ReadAsync(Memory<byte>.Empty, cancel.Token);
        Assert.False(wait.IsCompleted); // nothing has arrived: the zero-byte read waits
        await peer.SendAsync("hello, gateway"u8.ToArray(), SocketFlags.None, cancel.Token);
        Assert.Equal(0, await wait);

        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, cancel.Token);
        Assert.Equal("hello, gateway", System.Text.Encoding.ASCII.GetString(buffer, 0, read));

        // Nothing more is waiting: the next read must wait for the peer instead of returning 0 (end of stream).
        var next = stream.ReadAsync(buffer, cancel.Token);
        await peer.SendAsync("!"u8.ToArray(), SocketFlags.None, cancel.Token);
        Assert.Equal(1, await next);
        Assert.Equal((byte)'!', buffer[0]);
    }

    [Theory]
    [InlineData("sockets")]
    [InlineData("epoll")]
    public async Task TheSocketIsNonBlocking_ADirectSendIntoFullBuffersReturnsWouldBlock(string transport)
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        using var peer = client;
        await using var stream = Open(transport, server);

        // The peer reads nothing: a blocking descriptor would park this thread (the socket engine's, in the gateway)
        // once the kernel's buffers are full.
        var fill = Task.Run(() =>
        {
            var chunk = new byte[256 * 1024];
            long total = 0;
            while (true)
            {
                var error = NonBlockingSocketCalls.Send(server.SafeHandle, chunk, out var sent);
                if (error != SocketError.Success)
                {
                    return (error, total);
                }
                total += sent;
            }
        });
        var (last, accepted) = await fill.WaitAsync(Timeout);
        Assert.Equal(SocketError.WouldBlock, last);
        Assert.True(accepted > 0, "the kernel took nothing");
    }

    [Theory]
    [InlineData("sockets")]
    [InlineData("epoll")]
    public async Task WriteLargerThanTheSocketBuffers_ArrivesWholeAndInOrder(string transport)
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        using var peer = client;
        await using var stream = Open(transport, server);
        using var cancel = new CancellationTokenSource(Timeout);
        var payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024); // far more than the kernel takes at once

        // The peer starts reading only after the write has begun: the first send fills the buffers and the rest waits.
        var write = stream.WriteAsync(payload, cancel.Token);
        var received = new byte[payload.Length];
        var total = 0;
        while (total < received.Length)
        {
            var n = await peer.ReceiveAsync(received.AsMemory(total), SocketFlags.None, cancel.Token);
            Assert.NotEqual(0, n);
            total += n;
        }
        await write;
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
    }

    [Theory]
    [InlineData("sockets")]
    [InlineData("epoll")]
    public async Task PeerCloses_ReadReturnsEndOfStream_AndDisposeClosesTheSocket(string transport)
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        using var peer = client;
        var stream = Open(transport, server);
        using var cancel = new CancellationTokenSource(Timeout);

        await stream.WriteAsync("bye"u8.ToArray(), cancel.Token);
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty, cancel.Token));
        Assert.Equal(0, await stream.ReadAsync(new byte[16], cancel.Token));

        await stream.DisposeAsync();
        var buffer = new byte[16];
        Assert.Equal(3, await peer.ReceiveAsync(buffer, SocketFlags.None, cancel.Token));
        Assert.Equal(0, await peer.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)); // the stream closed its socket
    }

    [Theory]
    [InlineData("sockets")]
    [InlineData("epoll")]
    public async Task PeerResets_ReadAndWriteFailWithIOException(string transport)
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        await using var stream = Open(transport, server);
        using var cancel = new CancellationTokenSource(Timeout);

        await client.SendAsync("x"u8.ToArray(), SocketFlags.None, cancel.Token);
        client.LingerState = new LingerOption(true, 0);
        client.Dispose(); // RST: unread data on the peer's side does not matter, the connection is reset

        var read = await Assert.ThrowsAsync<IOException>(async () =>
        {
            var buffer = new byte[16];
            do
            {
                _ = await stream.ReadAsync(Memory<byte>.Empty, cancel.Token); // the idle wait, then the read it announces
            }
            while (await stream.ReadAsync(buffer, cancel.Token) > 0);
        });
        Assert.IsType<SocketException>(read.InnerException);
        var write = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync(new byte[1024], cancel.Token);
            }
        });
        // send(2)'s ECONNRESET or EPIPE, named as .NET names them.
        var reason = Assert.IsType<SocketException>(write.InnerException).SocketErrorCode;
        Assert.Contains(reason, new[] { SocketError.ConnectionReset, SocketError.Shutdown });
    }

    [Theory]
    [InlineData("sockets")]
    [InlineData("epoll")]
    public async Task TlsOverTheStream_HandshakeAndExchangeBothWays(string transport)
    {
        using var pki = new TestPki();
        var certificate = pki.IssueServer("socket.test", "socket.test").Certificate;
        var (client, server) = await Loopback.ConnectedPairAsync();
        await using var serverTls = new SslStream(Open(transport, server));
        await using var clientTls = new SslStream(Open(transport, client));
        using var cancel = new CancellationTokenSource(Timeout);
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancel.Token),
            clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "socket.test",
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
            }, cancel.Token));

        var request = RandomNumberGenerator.GetBytes(300);
        var response = RandomNumberGenerator.GetBytes(100_000); // several TLS records
        await clientTls.WriteAsync(request, cancel.Token);
        Assert.Equal(0, await serverTls.ReadAsync(Memory<byte>.Empty, cancel.Token)); // the gateway's idle wait
        var got = new byte[request.Length];
        await serverTls.ReadExactlyAsync(got, cancel.Token);
        Assert.Equal(request, got);
        await serverTls.WriteAsync(response, cancel.Token);
        var back = new byte[response.Length];
        await clientTls.ReadExactlyAsync(back, cancel.Token);
        Assert.Equal(response, back);
    }
}
