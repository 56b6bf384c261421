using FastGate.Core.Infrastructure;
using FastGate.Core.Tls;
using FastGate.Core.Transport;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace FastGate.Core.Upstream;

/// <summary>
/// One open connection to an upstream, as pipes over the socket or its SslStream. Owned by one request at a time;
/// the pool hands it out and takes it back.
/// </summary>
internal sealed class UpstreamConnection : IDisposable
{
    private int _disposed;

    /// <param name="socket">The connection's socket; null for an in-memory transport (the whole-exchange benchmark).</param>
    /// <param name="loop">The event loop that completes the connection's reads and writes (epoll transport), or null.</param>
    public UpstreamConnection(Socket? socket, Stream stream, EndpointPool pool, EpollLoop? loop = null)
    {
        Socket = socket;
        LoopSlot = SlotOf(loop);
        Stream = stream;
        Pool = pool;
        // No zero-byte reads: a pooled connection has no read pending, and a response is read as soon as it is due.
        // 16 KiB write blocks: a request head and a body of up to ~16 KiB leave as one TLS record and one send (with
        // 4 KiB segments a 4 KiB POST went out as two); blocks go back to the pool after each flush.
        Reader = new SlimStreamPipeReader(stream, BlockMemoryPool.Connections, minimumReadSize: 4 * 1024, zeroByteReads: false);
        Writer = new SlimStreamPipeWriter(stream, BlockMemoryPool.Connections);
        _tlsBuffers = stream is System.Net.Security.SslStream tls ? TlsIdleBuffers.For(tls) : default;
        CreatedAt = Environment.TickCount64;
    }

    public Socket? Socket { get; }

    /// <summary>Which of the pool's idle lists the connection returns to: its event loop's number + 1, 0 without one.</summary>
    public int LoopSlot { get; }

    public static int SlotOf(EpollLoop? loop) => loop is null ? 0 : loop.Index + 1;

    /// <summary>The upstream asked for a client certificate during the handshake and none was configured.</summary>
    public bool ClientCertificateRequestedButNone => Stream is TrackingSslStream { ClientCertificateRequested: true };
    public Stream Stream { get; }

    private TlsConnectionBuffers _tlsBuffers;

    /// <summary>
    /// The connection waits in the pool: OpenSSL's and the memory BIOs' buffers go back, unless it is busy and keeps
    /// them (<see cref="TlsBufferRetention"/>) until the pool's sweep finds it idle for a second.
    /// </summary>
    public void TlsIdle(long now) => _tlsBuffers.OnIdle(now);

    /// <summary>Rented again: busy when it waited less than the gap.</summary>
    public void TlsActive(long now) => _tlsBuffers.OnActive(now);

    /// <summary>Called by the pool's sweep (nothing in flight): kept buffers go back once idle since before <paramref name="before"/>.</summary>
    public void ReleaseTlsBuffersIdleSince(long before) => _tlsBuffers.ReleaseIfIdleSince(before);
    public EndpointPool Pool { get; }
    public PipeReader Reader { get; }
    public PipeWriter Writer { get; }
    /// <summary>When the connection was made (<see cref="Environment.TickCount64"/> ms).</summary>
    public long CreatedAt { get; }

    /// <summary>When it was last returned to the pool (<see cref="Environment.TickCount64"/> ms).</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// The upstream's own idle limit (from its Keep-Alive: timeout=N, less a margin), when shorter than the pool's;
    /// TimeSpan.MaxValue when it sent none.
    /// </summary>
    public TimeSpan IdleLimit { get; set; } = TimeSpan.MaxValue;

    /// <summary>How many requests this connection has carried.</summary>
    public int RequestCount { get; set; }

    /// <summary>
    /// False when the upstream has closed (EOF/RST pending) or sent bytes nobody asked for. A readable idle socket
    /// is never healthy, so the keep-alive race is caught here rather than by a failed request.
    /// </summary>
    public bool IsHealthyForReuse()
    {
        try
        {
            // One poll(2) per reuse: on Linux a FIN, an RST and a pending error all make the socket readable
            // (tcp_poll sets POLLIN once the receive side is shut down), so SelectRead alone sees them; a second
            // SelectError poll cost a syscall per request (bench: ~1.8 polls per proxied request before).
            return Socket is null || !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _tlsBuffers.Forget();
        Reader.Complete();
        Writer.Complete();
        try
        {
            Stream.Dispose();
        }
        catch (IOException)
        {
            // the peer is already gone
        }
        Socket?.Dispose();
    }
}
