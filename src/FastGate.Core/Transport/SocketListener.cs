using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Transport;

/// <summary>
/// A raw accept loop on one address: each accepted socket (TCP_NODELAY) starts its connection task without being
/// awaited, within the connection limit; the listener counts connections so shutdown can wait for them to drain.
/// </summary>
internal sealed class SocketListener : IAsyncDisposable
{
    private readonly IConnectionHandler _handler;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _acceptLoop = Task.CompletedTask;
    private int _active;
    private volatile bool _stopping;

    public SocketListener(string name, IPEndPoint endpoint, int maxConnections, IConnectionHandler handler, ILogger logger)
    {
        Name = name;
        MaxConnections = maxConnections;
        _handler = handler;
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

    public string Name { get; }
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
        if (EpollLoop.Enabled && _handler is Proxy.ProxyConnectionHandler proxy)
        {
            // EXPERIMENT: accepted on FastGate's own epoll thread (no graceful stop of accepting: not for main).
            _ = new EpollAcceptor(_socket, (stream, remote) =>
            {
                if (Interlocked.Increment(ref _active) > MaxConnections)
                {
                    Interlocked.Decrement(ref _active);
                    stream.Dispose();
                    return;
                }
                _ = RunStreamAsync(proxy, stream, remote);
            });
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
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset
                                                or SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                TransportLog.AcceptFailed(_logger, Name, e);
                continue;
            }

            if (Interlocked.Increment(ref _active) > MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                TransportLog.ConnectionLimitReached(_logger, Name, MaxConnections, client.RemoteEndPoint);
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            _ = RunConnectionAsync(client);
        }
    }

    private async Task RunConnectionAsync(Socket client)
    {
        try
        {
            await _handler.HandleAsync(client, this).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            TransportLog.ConnectionFailed(_logger, Name, e);
        }
        finally
        {
            client.Dispose();
            if (Interlocked.Decrement(ref _active) == 0 && _stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Stops accepting; connections in flight continue.</summary>
    private async Task RunStreamAsync(Proxy.ProxyConnectionHandler proxy, Stream stream, EndPoint remote)
    {
        try
        {
            await proxy.HandleStreamAsync(stream, remote, this).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            TransportLog.ConnectionFailed(_logger, Name, e);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (Interlocked.Decrement(ref _active) == 0 && _stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    public async Task StopAcceptingAsync()
    {
        _stopping = true;
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
