using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FastGate.Core.Transport;

/// <summary>
/// EXPERIMENT (branch experiment/epoll-transport): accepts on <see cref="EpollLoop"/>'s thread with accept4(2), so a
/// connection's handshake and requests all run on that one thread (one malloc arena for OpenSSL) and no Socket object
/// is made for it.
/// </summary>
internal sealed class EpollAcceptor : IEpollTarget
{
    private readonly Socket _listening;
    private readonly int _fd;
    private readonly Action<RawSocketStream, IPEndPoint> _accepted;
    private readonly byte[] _address = new byte[128];

    public EpollAcceptor(Socket listening, Action<RawSocketStream, IPEndPoint> accepted)
    {
        _listening = listening;
        listening.Blocking = false;
        _fd = (int)listening.SafeHandle.DangerousGetHandle();
        _accepted = accepted;
        EpollLoop.Instance.Register(this, _fd);
    }

    public void OnEvents(uint events)
    {
        while (true)
        {
            var length = _address.Length;
            var fd = Accept4(_fd, _address, ref length, SockNonBlock | SockCloexec);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == 4)
                {
                    continue; // EINTR
                }
                return; // EAGAIN (drained), or the listener closed
            }
            var one = 1;
            _ = SetSockOpt(fd, 6, 1, ref one, sizeof(int)); // TCP_NODELAY
            var remote = Parse(_address);
            var stream = new RawSocketStream(new RawDescriptorHandle(fd));
            _accepted(stream, remote);
        }
    }

    private static IPEndPoint Parse(byte[] address)
    {
        var family = BitConverter.ToUInt16(address, 0);
        var port = (address[2] << 8) | address[3];
        return family == 10
            ? new IPEndPoint(new IPAddress(address.AsSpan(8, 16), BitConverter.ToUInt32(address, 24)), port)
            : new IPEndPoint(new IPAddress(address.AsSpan(4, 4)), port);
    }

    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;

    [DllImport("libc.so.6", EntryPoint = "accept4", SetLastError = true)]
    private static extern int Accept4(int fd, byte[] address, ref int addressLength, int flags);

    [DllImport("libc.so.6", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSockOpt(int fd, int level, int name, ref int value, int length);
}
