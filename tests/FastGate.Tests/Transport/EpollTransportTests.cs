using System.Net;
using System.Net.Sockets;
using FastGate.Core.Transport;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Transport;

/// <summary>
/// What only the epoll transport does itself: waits that a close must end, connects on its own loop (refused,
/// cancelled while the peer's queue is full), and the loop's handling of several streams at once.
/// </summary>
public sealed class EpollTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>A loopback pair: the peer's socket, and the epoll stream over the other end (and its Socket).</summary>
    private static async Task<(Socket Peer, RawSocketStream Stream, Socket Server)> OpenAsync()
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        return (client, new RawSocketStream(server, EpollLoop.LeastLoaded()), server);
    }

    [Fact]
    public async Task DisposeWhileAReadAndAWriteWait_BothFailAndThePeerSeesTheEnd()
    {
        var (client, server) = await Loopback.ConnectedPairAsync();
        using var peer = client;
        var stream = new RawSocketStream(server, EpollLoop.LeastLoaded());

        var read = stream.ReadAsync(new byte[16]).AsTask();
        Assert.False(read.IsCompleted); // nothing has arrived
        // The peer reads nothing, so a large enough write fills the kernel's buffers and waits for room.
        var write = stream.WriteAsync(new byte[16 * 1024 * 1024]).AsTask();
        Assert.False(write.IsCompleted);

        await Task.Run(stream.Dispose); // another thread, as a deadline's timer closes a connection
        await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(Timeout));
        await Assert.ThrowsAsync<IOException>(() => write.WaitAsync(Timeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => _ = await stream.ReadAsync(new byte[1]));

        // The descriptor is closed: after the bytes that got through, the peer reads the end of the stream.
        using var cancel = new CancellationTokenSource(Timeout);
        var buffer = new byte[256 * 1024];
        while (await peer.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
        {
        }
    }

    [Fact]
    public async Task AReadAndAWriteWaitAtOnce_EachCompletesOnItsOwnEdge()
    {
        var (peer, stream, server) = await OpenAsync();
        using var closePeer = peer;
        await using var closeStream = stream;
        using var cancel = new CancellationTokenSource(Timeout);

        var buffer = new byte[64];
        var read = stream.ReadAsync(buffer, cancel.Token).AsTask();
        var payload = new byte[8 * 1024 * 1024];
        payload.AsSpan().Fill(7);
        var write = stream.WriteAsync(payload, cancel.Token).AsTask();
        Assert.False(write.IsCompleted);

        // Drain the write first: the read must stay pending (writability is not readability).
        var received = 0;
        var sink = new byte[256 * 1024];
        while (received < payload.Length)
        {
            var n = await peer.ReceiveAsync(sink, SocketFlags.None, cancel.Token);
            Assert.NotEqual(0, n);
            received += n;
        }
        await write.WaitAsync(Timeout);
        Assert.False(read.IsCompleted);

        await peer.SendAsync("ping"u8.ToArray(), SocketFlags.None, cancel.Token);
        Assert.Equal(4, await read.WaitAsync(Timeout));
        Assert.Equal("ping"u8.ToArray(), buffer[..4]);
    }

    [Fact]
    public async Task BytesAndTheEndArriveTogether_AShortReadThenTheEndOfStream()
    {
        // A read shorter than its buffer marks the socket drained (the next read waits for an edge instead of trying),
        // unless the peer has closed: then the end of stream is queued behind the bytes and no edge will follow.
        var (peer, stream, server) = await OpenAsync();
        using var closePeer = peer;
        await using var closeStream = stream;
        using var cancel = new CancellationTokenSource(Timeout);

        await peer.SendAsync("abc"u8.ToArray(), SocketFlags.None, cancel.Token);
        peer.Shutdown(SocketShutdown.Send);
        Assert.True(await Eventually.TrueAsync(() => server.Available == 3));
        var buffer = new byte[64];
        Assert.Equal(3, await stream.ReadAsync(buffer, cancel.Token));
        Assert.Equal(0, await stream.ReadAsync(buffer, cancel.Token).AsTask().WaitAsync(Timeout));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty, cancel.Token).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task APendingReadGetsBytesThenTheEnd_TheNextReadSeesTheEnd()
    {
        var (peer, stream, server) = await OpenAsync();
        using var closePeer = peer;
        await using var closeStream = stream;
        using var cancel = new CancellationTokenSource(Timeout);

        var buffer = new byte[64];
        var read = stream.ReadAsync(buffer, cancel.Token).AsTask();
        Assert.False(read.IsCompleted);
        await peer.SendAsync("abc"u8.ToArray(), SocketFlags.None, cancel.Token);
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(3, await read.WaitAsync(Timeout));
        Assert.Equal(0, await stream.ReadAsync(buffer, cancel.Token).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task ManyStreamsOnOneLoop_EachGetsItsOwnBytes()
    {
        const int Count = 200; // more than the loop's first slot table, so it grows and slots are reused
        var loop = EpollLoop.LeastLoaded();
        var pairs = new List<(Socket Peer, RawSocketStream Stream)>();
        try
        {
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < Count; i++)
                {
                    var (client, server) = await Loopback.ConnectedPairAsync();
                    pairs.Add((client, new RawSocketStream(server, loop)));
                }
                using var cancel = new CancellationTokenSource(Timeout);
                var reads = new Task<int>[pairs.Count];
                var buffers = new byte[pairs.Count][];
                for (var i = 0; i < pairs.Count; i++)
                {
                    buffers[i] = new byte[4];
                    reads[i] = pairs[i].Stream.ReadAsync(buffers[i], cancel.Token).AsTask();
                }
                for (var i = 0; i < pairs.Count; i++)
                {
                    await pairs[i].Peer.SendAsync(BitConverter.GetBytes(i), SocketFlags.None, cancel.Token);
                }
                var counts = await Task.WhenAll(reads).WaitAsync(Timeout);
                for (var i = 0; i < pairs.Count; i++)
                {
                    Assert.Equal(4, counts[i]);
                    Assert.Equal(i, BitConverter.ToInt32(buffers[i]));
                }
                // Close the first half: their slots are reused by the next round's streams.
                foreach (var (peer, stream) in pairs[..(pairs.Count / 2)])
                {
                    await stream.DisposeAsync();
                    peer.Dispose();
                }
                pairs.RemoveRange(0, pairs.Count / 2);
            }
        }
        finally
        {
            foreach (var (peer, stream) in pairs)
            {
                await stream.DisposeAsync();
                peer.Dispose();
            }
        }
    }

    [Fact]
    public async Task Connect_ToAPortNobodyListensOn_IsRefused()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var remote = new IPEndPoint(IPAddress.Loopback.MapToIPv6(), Loopback.FreePort());
        var error = await Assert.ThrowsAsync<SocketException>(async () => await RawSocketStream.ConnectAsync(socket, remote, EpollLoop.LeastLoaded(), CancellationToken.None));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.Throws<ObjectDisposedException>(() => socket.Available); // the stream disposed the socket it owned
    }

    [Fact]
    public async Task Connect_ThenExchange_BytesFlowBothWays()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var remote = new IPEndPoint(IPAddress.Loopback.MapToIPv6(), ((IPEndPoint)listener.LocalEndPoint!).Port);
        using var cancel = new CancellationTokenSource(Timeout);

        await using var stream = await RawSocketStream.ConnectAsync(new Socket(SocketType.Stream, ProtocolType.Tcp), remote, EpollLoop.LeastLoaded(), cancel.Token);
        using var accepted = await listener.AcceptAsync(cancel.Token);
        await stream.WriteAsync("hello"u8.ToArray(), cancel.Token);
        var buffer = new byte[16];
        Assert.Equal(5, await accepted.ReceiveAsync(buffer, SocketFlags.None, cancel.Token));
        await accepted.SendAsync("there"u8.ToArray(), SocketFlags.None, cancel.Token);
        Assert.Equal(5, await stream.ReadAsync(buffer, cancel.Token));
        Assert.Equal("there"u8.ToArray(), buffer[..5]);
    }

    [Fact]
    public async Task Connect_CancelledBeforeTheHandshakeEnds_ThrowsOperationCanceledAndClosesTheSocket()
    {
        // A non-blocking connect(2) returns EINPROGRESS even on loopback (the SYN-ACK is processed after the call
        // releases the socket), so the cancellation is seen while the connect waits: as the connect timeout is.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var remote = new IPEndPoint(IPAddress.Loopback.MapToIPv6(), ((IPEndPoint)listener.LocalEndPoint!).Port);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await RawSocketStream.ConnectAsync(socket, remote, EpollLoop.LeastLoaded(), cancel.Token));
        Assert.Throws<ObjectDisposedException>(() => socket.Available); // closed, not leaked
    }
}
