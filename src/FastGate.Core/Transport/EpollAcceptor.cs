using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FastGate.Core.Transport;

/// <summary>
/// Accepts a listener's connections with accept4(2) on an <see cref="EpollLoop"/>'s thread (no Socket object per
/// connection) and hands each to the listener as a <see cref="RawSocketStream"/> on the next loop. Out of descriptors
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
    private readonly byte[] _address = new byte[28]; // sockaddr_in6, the larger of the two
    private Timer? _retry;
    private bool _stopped;

    public EpollAcceptor(Socket listening, SocketListener listener)
    {
        _listening = listening;
        _listener = listener;
        _fd = (int)listening.SafeHandle.DangerousGetHandle();
        NonBlockingSocketCalls.SetNonBlocking(_fd);
        _loop = EpollLoop.Next();
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
            var error = NonBlockingSocketCalls.Accept(_listening.SafeHandle, _address, out var fd);
            switch (error)
            {
                case SocketError.Success:
                    var stream = new RawSocketStream(new RawDescriptorHandle(fd), EpollLoop.Next());
                    _listener.Admit(stream, Parse(_address));
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

    private static IPEndPoint Parse(ReadOnlySpan<byte> address)
    {
        const ushort AfInet6 = 10;
        var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        return BinaryPrimitives.ReadUInt16LittleEndian(address) == AfInet6
            ? new IPEndPoint(new IPAddress(address.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(address[24..])), port)
            : new IPEndPoint(new IPAddress(address.Slice(4, 4)), port);
    }
}
