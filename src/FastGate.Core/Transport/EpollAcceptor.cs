using System.Net;
using System.Net.Sockets;

namespace FastGate.Core.Transport;

/// <summary>
/// Accepts a listener's connections with accept4(2) on an <see cref="EpollLoop"/>'s thread (no Socket object per
/// connection) and hands each to the least loaded loop, where its listener starts it as a <see cref="RawSocketStream"/>
/// that stays on that loop: its handshake runs there too, not on the acceptor's thread. Out of descriptors
/// or buffers, it stops for <see cref="SocketListener.AcceptBackOff"/> and tries again (an edge-triggered listener would not report the
/// connections still queued), as nginx and HAProxy do. Thread-safe; the listener owns the listening socket.
/// </summary>
internal sealed class EpollAcceptor : IEpollTarget
{
    private readonly Socket _listening;
    private readonly SocketListener _listener;
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly int _slot;
    private readonly Lock _gate = new(); // one accepting pass at a time (loop or back-off timer); Stop waits for it
    private readonly IPEndPoint _local;
    private readonly SocketAddress _address = new(AddressFamily.InterNetworkV6); // room for either family's sockaddr
    private Timer? _retry;
    private bool _stopped;

    public EpollAcceptor(Socket listening, SocketListener listener)
    {
        _listening = listening;
        _listener = listener;
        _local = listener.LocalEndPoint;
        _fd = (int)listening.SafeHandle.DangerousGetHandle();
        NonBlockingSocketCalls.SetNonBlocking(_fd);
        _loop = EpollLoop.LeastLoaded();
        _slot = _loop.Register(this, _fd);
    }

    public void OnEvents(uint events)
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                AcceptQueued();
            }
        }
    }

    /// <summary>No connection is accepted once this returns.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _retry?.Dispose();
        }
        _loop.Unregister(_slot, _fd);
    }

    private void AcceptQueued()
    {
        while (true)
        {
            _address.Size = _address.Buffer.Length;
            var error = NonBlockingSocketCalls.Accept(_listening.SafeHandle, _address, out var fd);
            switch (error)
            {
                case SocketError.Success:
                    var handle = new RawDescriptorHandle(fd);
                    // The listener's family is the peer's (a dual-mode IPv6 listener sees IPv4 peers as mapped).
                    var remote = _local.Create(_address);
                    if (!_listener.TryAdmit(remote))
                    {
                        handle.Dispose();
                        continue;
                    }
                    var loop = EpollLoop.LeastLoaded();
                    if (loop == _loop)
                    {
                        _listener.StartStream(handle, remote, loop);
                    }
                    else
                    {
                        loop.Post(AcceptedConnection.StartOnItsLoop, new AcceptedConnection(_listener, handle, remote, loop));
                    }
                    continue;
                case SocketError.ConnectionAborted:
                    continue; // reset while queued
                case SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable:
                    _listener.AcceptBackingOff(error);
                    _retry ??= new Timer(static self => ((EpollAcceptor)self!).OnEvents(0), this, Timeout.Infinite, Timeout.Infinite);
                    _retry.Change(SocketListener.AcceptBackOff, Timeout.InfiniteTimeSpan);
                    return;
                default:
                    return; // WouldBlock: the queue is empty; anything else: the listener is closing
            }
        }
    }
}
