using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Transport;

/// <summary>
/// A raw accept loop on one address: each accepted socket (TCP_NODELAY) starts its connection task without being
/// awaited, within the connection limit; the listener counts connections so shutdown can wait for them to drain.
/// With the epoll transport an <see cref="EpollAcceptor"/> accepts instead, and connections arrive as streams.
/// </summary>
internal sealed class SocketListener : IAsyncDisposable
{
    private readonly IConnectionHandler? _handler;         // connections as sockets (admin, demo upstreams)
    private readonly IStreamConnectionHandler? _streams;   // or as streams (the proxy, on either transport)
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _acceptLoop = Task.CompletedTask;
    private EpollAcceptor? _acceptor;
    private int _active;
    private volatile bool _stopping;

    /// <summary>A listener whose connections reach <paramref name="handler"/> as sockets, on .NET's sockets.</summary>
    public SocketListener(string name, IPEndPoint endpoint, int maxConnections, IConnectionHandler handler, ILogger logger)
        : this(name, endpoint, maxConnections, logger, TransportKind.Sockets) => _handler = handler;

    /// <summary>A listener whose connections reach <paramref name="handler"/> as streams, on either transport.</summary>
    public SocketListener(string name, IPEndPoint endpoint, int maxConnections, IStreamConnectionHandler handler, ILogger logger,
        TransportKind transport)
        : this(name, endpoint, maxConnections, logger, transport) => _streams = handler;

    private SocketListener(string name, IPEndPoint endpoint, int maxConnections, ILogger logger, TransportKind transport)
    {
        Transport = transport;
        Name = name;
        MaxConnections = maxConnections;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        ConfiguredEndPoint = endpoint;
        _socket.Bind(endpoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>How long accepting pauses when the process is out of descriptors or buffers (nginx: 500 ms).</summary>
    public static readonly TimeSpan AcceptBackOff = TimeSpan.FromMilliseconds(100);

    public string Name { get; }
    public TransportKind Transport { get; }
    public int MaxConnections { get; set; }
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The address as configured (port 0 stays 0), to tell whether a reload changed it.</summary>
    public IPEndPoint ConfiguredEndPoint { get; }
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>True once shutdown began: connections should finish their current request and close.</summary>
    public bool IsStopping => _stopping;

    public void Start(string kind)
    {
        _socket.Listen(1024);
        TransportLog.Listening(_logger, Name, LocalEndPoint, kind);
        if (Transport == TransportKind.Epoll)
        {
            _acceptor = new EpollAcceptor(_socket, this);
            return;
        }
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException || (e is SocketException && _stopping))
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // reset while queued
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of descriptors: trying again at once would spin (and log) until one is freed.
                AcceptBackingOff(e.SocketErrorCode);
                await Task.Delay(AcceptBackOff).ConfigureAwait(false);
                continue;
            }

            if (!TryCountConnection(client.RemoteEndPoint))
            {
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            if (_streams is not null)
            {
                // The stream owns the socket: disposing it is how an expired handshake is aborted.
                _streams.Start(new SocketStream(client, ownsSocket: true), client.RemoteEndPoint, this);
                continue;
            }
            _ = RunConnectionAsync(client);
        }
    }

    private async Task RunConnectionAsync(Socket client)
    {
        try
        {
            await _handler!.HandleAsync(client, this).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            TransportLog.ConnectionFailed(_logger, Name, e);
        }
        finally
        {
            client.Dispose();
            ConnectionEnded();
        }
    }

    /// <summary>Counts a new connection within the limit (false, logged, when at it: the caller closes it).</summary>
    private bool TryCountConnection(EndPoint? remote)
    {
        if (Interlocked.Increment(ref _active) <= MaxConnections)
        {
            return true;
        }
        Interlocked.Decrement(ref _active);
        TransportLog.ConnectionLimitReached(_logger, Name, MaxConnections, remote);
        return false;
    }

    /// <summary>A connection has ended (called once for each admitted one, by the listener or its stream handler).</summary>
    internal void ConnectionEnded()
    {
        if (Interlocked.Decrement(ref _active) == 0 && _stopping)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>
    /// The epoll transport's accepted connection (on the acceptor's loop thread): counted within the connection limit
    /// (false, and the caller closes it, when over the limit or stopping).
    /// </summary>
    internal bool TryAdmit(EndPoint remote) => !_stopping && TryCountConnection(remote);

    /// <summary>An admitted connection's start, on <paramref name="loop"/>'s thread: the loop its stream lives on.</summary>
    internal void StartStream(RawDescriptorHandle handle, EndPoint remote, EpollLoop loop)
    {
        RawSocketStream stream;
        try
        {
            stream = new RawSocketStream(handle, loop);
        }
        catch (Exception e)
        {
            handle.Dispose();
            TransportLog.ConnectionFailed(_logger, Name, e);
            ConnectionEnded();
            return;
        }
        _streams!.Start(stream, remote, this);
    }

    /// <summary>A connection ended with an unexpected error (logged on the transport's log).</summary>
    internal void ConnectionFailed(Exception e) => TransportLog.ConnectionFailed(_logger, Name, e);

    internal void AcceptBackingOff(SocketError error) => TransportLog.AcceptBackOff(_logger, Name, error, (int)AcceptBackOff.TotalMilliseconds);

    /// <summary>Stops accepting; connections in flight continue.</summary>
    public async Task StopAcceptingAsync()
    {
        _stopping = true;
        _acceptor?.Stop();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Completes when every connection has ended, or after <paramref name="timeout"/>; true if drained.</summary>
    public async Task<bool> WaitForDrainAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(_drained.Task, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == _drained.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping)
        {
            await StopAcceptingAsync().ConfigureAwait(false);
        }
    }
}
