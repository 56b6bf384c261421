using System.IO.Pipelines;
using System.Net;
using FastGate.Core.Http;
using FastGate.Core.Infrastructure;
using FastGate.Core.Tls;
using Microsoft.Extensions.ObjectPool;

namespace FastGate.Core.Proxy;

/// <summary>
/// Per-connection state reused across connections through an ObjectPool: parsed heads, the client's address as
/// bytes, the pipes and the read deadline (checked by the handler's heartbeat, so arming it costs a timestamp,
/// not a timer). Deadlines and the TLS buffers' idle times use <see cref="Environment.TickCount64"/>, the kernel's
/// coarse clock (~4 ms steps, against the heartbeat's 100 ms): it costs a few loads, where the precise clock took
/// ~1.2% of the CPU per small request at ~10 reads (perf, 2026-12-02). Used by one connection at a time; the deadline
/// is also touched by the heartbeat thread.
/// </summary>
internal sealed class ClientSession : IResettable, IReadDeadline
{
    private readonly byte[] _clientAddress = new byte[64];
    private readonly Lock _timerLock = new();
    private int _clientAddressLength;
    private long _deadline; // Environment.TickCount64 ms; 0 when disarmed
    private PipeReader? _timedReader;
    private Stream? _abortedOnDeadline;
    private long _armedGeneration;
    private long _generation;
    private long _firedGeneration;
    private bool _idle;

    private Exchange? _exchange;

    /// <summary>The exchange in progress (rented by <see cref="BeginExchange"/>): its heads and record.</summary>
    public Exchange Exchange => _exchange!;
    public HttpRequestHead Request => _exchange!.Request;
    public HttpResponseHead Response => _exchange!.Response;

    /// <summary>The request in progress, for metrics and the access log.</summary>
    public RequestRecord Record => _exchange!.Record;

    /// <summary>True while this connection holds exchange state (read from other threads by diagnostics only).</summary>
    public bool HoldsExchange => Volatile.Read(ref _exchange) is not null;

    /// <summary>Rents the exchange state when a request's first bytes arrive (no-op while one is held).</summary>
    public void BeginExchange() => _exchange ??= Exchange.Rent();

    /// <summary>Returns the exchange state: the connection is idle or ending.</summary>
    public void EndExchange()
    {
        if (_exchange is { } exchange)
        {
            _exchange = null;
            Exchange.Return(exchange);
        }
    }

    public PipeReader ClientReader { get; private set; } = null!;
    public PipeWriter ClientWriter { get; private set; } = null!;
    public bool IsTls { get; private set; }

    private TlsConnectionBuffers _tlsBuffers;

    /// <summary>
    /// The connection waits for its next request with nothing in flight: OpenSSL's and the memory BIOs' buffers go
    /// back, unless it is busy and keeps them (<see cref="TlsBufferRetention"/>).
    /// </summary>
    public void TlsIdle(bool afterResponse) => _tlsBuffers.OnIdle(Environment.TickCount64, afterResponse);
    public ReadOnlyMemory<byte> ClientAddress => _clientAddress.AsMemory(0, _clientAddressLength);
    public IPAddress? RemoteAddress { get; private set; }

    /// <summary>The SNI name of the handshake, or null.</summary>
    public string? ServerName { get; set; }

    /// <summary>The TLS server profile the handshake selected (null on plain HTTP).</summary>
    public Tls.TlsServerProfile? Profile { get; set; }

    /// <summary>The client certificate validated in the handshake, or null.</summary>
    public Tls.ClientIdentity? Identity { get; set; }

    /// <summary>The application the last request authenticated as (for logs), or null.</summary>
    public Auth.Application? Application { get; set; }

    private byte[]? _headerIdentityKey;
    private Tls.ClientIdentity? _headerIdentity;

    /// <summary>
    /// The identity a trusted load balancer passed in a header; decoded once per distinct value on this connection
    /// (a load balancer's connection carries many clients, so the last one is cached, not assumed).
    /// </summary>
    public Tls.ClientIdentity? IdentityFromHeader(ReadOnlySpan<byte> value)
    {
        if (_headerIdentityKey is not null && value.SequenceEqual(_headerIdentityKey))
        {
            return _headerIdentity;
        }
        var certificate = Auth.CertificateHeaderDecoder.TryDecode(value);
        _headerIdentityKey = value.ToArray();
        _headerIdentity = certificate is null ? null : new Tls.ClientIdentity(certificate);
        return _headerIdentity;
    }

    /// <summary>True when the read most recently cancelled was cancelled by the armed timeout.</summary>
    public bool TimedOut => Volatile.Read(ref _firedGeneration) == _generation;

    /// <summary>The connection's pipes, and the facts of its handshake when it is TLS: SNI, profile, client certificate.</summary>
    public void Begin(Stream stream, ServerSslStream? ssl, ServerTlsSelector? tls, EndPoint? remote)
    {
        if (ssl is not null)
        {
            ServerName = string.IsNullOrEmpty(ssl.TargetHostName) ? null : ssl.TargetHostName;
            Profile = tls!.Select(ssl.TargetHostName);
            if (ssl.RemoteCertificate is System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
            {
                Identity = new Tls.ClientIdentity(certificate);
            }
        }
        // Zero-byte reads: no block held while idle. 16 KiB write blocks: a relayed body leaves as full-size TLS
        // records and few writes; blocks go back to the pool after each flush.
        ClientReader = new SlimStreamPipeReader(stream, BlockMemoryPool.Connections, minimumReadSize: 4096, zeroByteReads: true);
        ClientWriter = new SlimStreamPipeWriter(stream, BlockMemoryPool.Connections);
        _tlsBuffers = ssl is null ? default : TlsIdleBuffers.For(ssl);
        IsTls = ssl is not null;
        _clientAddressLength = 0;
        if (remote is IPEndPoint ip)
        {
            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            RemoteAddress = address;
            if (address.TryFormat(_clientAddress, out var written))
            {
                _clientAddressLength = written;
            }
        }
    }

    /// <summary>A read deadline: when it passes, the heartbeat cancels <paramref name="reader"/>'s pending read.</summary>
    public void Arm(PipeReader reader, TimeSpan timeout) => ArmDeadline(reader, null, timeout, _idle);

    /// <summary>
    /// Waiting for the next request: the keep-alive deadline, and idle (safe to close on shutdown). One lock for both,
    /// as for <see cref="RequestArriving"/> and <see cref="RequestReceived"/>: each lock pair costs two atomic
    /// operations, and these run for every request.
    /// </summary>
    public void AwaitRequest(PipeReader reader, TimeSpan keepAliveTimeout) => ArmDeadline(reader, null, keepAliveTimeout, idle: true);

    /// <summary>A request's first bytes arrived without the whole head: busy, and the rest is due within the head timeout.</summary>
    public void RequestArriving(PipeReader reader, TimeSpan headTimeout)
    {
        ArmDeadline(reader, null, headTimeout, idle: false);
        _tlsBuffers.OnActive(Environment.TickCount64);
    }

    /// <summary>A request's head is complete: busy, and no read deadline until the next one is armed.</summary>
    public void RequestReceived()
    {
        Disarm(idle: false);
        _tlsBuffers.OnActive(Environment.TickCount64);
    }

    /// <summary>
    /// The handshake's deadline: when it passes, the heartbeat disposes <paramref name="transport"/> so the handshake
    /// fails at once. No CancellationToken reaches SslStream: one passed to the handshake kept its source, with a
    /// registration, alive for as long as the connection (206 B per idle connection, dotnet-gcdump).
    /// </summary>
    public void ArmHandshake(Stream transport, TimeSpan timeout) => ArmDeadline(null, transport, timeout, _idle);

    private void ArmDeadline(PipeReader? reader, Stream? abort, TimeSpan timeout, bool idle)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_timerLock)
        {
            _idle = idle;
            _timedReader = reader;
            _abortedOnDeadline = abort;
            _armedGeneration = ++_generation;
            _deadline = deadline;
        }
    }

    public void Disarm() => Disarm(_idle);

    private void Disarm(bool idle)
    {
        lock (_timerLock)
        {
            _idle = idle;
            _armedGeneration = 0;
            _timedReader = null;
            _abortedOnDeadline = null;
            _deadline = 0;
        }
    }

    /// <summary>Called by the heartbeat: fires the deadline when it has passed.</summary>
    public void CheckDeadline(long now)
    {
        var deadline = Volatile.Read(ref _deadline);
        if (deadline != 0 && now >= deadline)
        {
            OnTimer();
        }
    }

    /// <summary>Ends the wait of an idle keep-alive connection so it closes; a busy one finishes its request first.</summary>
    public void CancelIfIdle()
    {
        lock (_timerLock)
        {
            if (_idle)
            {
                ClientReader?.CancelPendingRead();
            }
        }
    }

    private void OnTimer()
    {
        Stream? abort;
        lock (_timerLock)
        {
            if (_armedGeneration == 0 || Environment.TickCount64 < _deadline)
            {
                return;
            }
            _deadline = 0;
            Volatile.Write(ref _firedGeneration, _armedGeneration);
            _timedReader?.CancelPendingRead();
            abort = _abortedOnDeadline;
            _abortedOnDeadline = null;
        }
        if (abort is not null)
        {
            // On the thread pool: the failing handshake's continuation must not run on the heartbeat's thread.
            ThreadPool.UnsafeQueueUserWorkItem(static stream => stream.Dispose(), abort, preferLocal: false);
        }
    }

    public void End()
    {
        Disarm();
        ClientReader?.Complete();
        ClientWriter?.Complete();
    }

    public bool TryReset()
    {
        _idle = false;
        _abortedOnDeadline = null;
        EndExchange();
        ClientReader = null!;
        _tlsBuffers.Forget();
        _tlsBuffers = default;
        ClientWriter = null!;
        _clientAddressLength = 0;
        RemoteAddress = null;
        ServerName = null;
        Profile = null;
        Identity = null;
        Application = null;
        _headerIdentityKey = null;
        _headerIdentity = null;
        return true;
    }

}
