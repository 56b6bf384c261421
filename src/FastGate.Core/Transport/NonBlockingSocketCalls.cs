using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FastGate.Core.Transport;

/// <summary>
/// Socket calls made directly (send, recv, accept4, connect, fcntl, getsockopt), for SocketStream's sends and the
/// epoll transport. send(2) on a non-blocking socket, called directly: Socket.Send spends ~400 instructions per call around the
/// syscall (mode checks, SocketPal's retry loop, status updates; callgrind, NativeAOT) where this spends the handle's
/// add-ref and the P/Invoke (bench/ab.sh, GET 64 B, CPU per request against NetworkStream's: Socket's own
/// non-blocking Send and Receive 1.008, these direct calls for both 0.980, direct sends alone 0.966).
/// The handle is held for the call, so a socket closed by another
/// thread meanwhile cannot have its descriptor reused under the call; a closed one throws ObjectDisposedException,
/// as Socket's methods do. Linux only (errno values and MSG_NOSIGNAL are Linux's).
/// </summary>
internal static class NonBlockingSocketCalls
{
    /// <summary>Sends what the kernel takes now: <paramref name="sent"/> may be less than the buffer with Success.</summary>
    public static SocketError Send(SafeHandle handle, ReadOnlySpan<byte> buffer, out int sent)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                var result = SendTo(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, MsgNoSignal);
                if (result >= 0)
                {
                    sent = (int)result;
                    return SocketError.Success;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    sent = 0;
                    return ToSocketError(errno);
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>recv(2): <paramref name="received"/> 0 with Success is the peer's end of stream.</summary>
    public static SocketError Receive(SafeHandle handle, Span<byte> buffer, int flags, out int received)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                var result = RecvFrom(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, flags);
                if (result >= 0)
                {
                    received = (int)result;
                    return SocketError.Success;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    received = 0;
                    return ToSocketError(errno);
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// accept4(2), non-blocking and close-on-exec: the new descriptor (TCP_NODELAY set) and the peer's address in
    /// <paramref name="address"/> (its Size set to what the kernel wrote).
    /// </summary>
    public static SocketError Accept(SafeHandle listening, System.Net.SocketAddress address, out int fd)
    {
        var added = false;
        try
        {
            listening.DangerousAddRef(ref added);
            while (true)
            {
                var length = address.Size;
                fd = Accept4((int)listening.DangerousGetHandle(), ref MemoryMarshal.GetReference(address.Buffer.Span), ref length, SockNonBlock | SockCloexec);
                if (fd >= 0)
                {
                    address.Size = length;
                    var one = 1;
                    _ = SetSockOpt(fd, IpProtoTcp, TcpNoDelay, ref one, sizeof(int));
                    return SocketError.Success;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    return ToSocketError(errno);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            fd = -1;
            return SocketError.OperationAborted; // the listener was closed
        }
        finally
        {
            if (added)
            {
                listening.DangerousRelease();
            }
        }
    }

    public const int MsgPeek = 0x2;

    /// <summary>O_NONBLOCK set with fcntl(2) on a descriptor .NET's Socket does not manage asynchronously.</summary>
    public static void SetNonBlocking(int fd)
    {
        var flags = Fcntl(fd, FGetFl, 0);
        if (flags < 0 || Fcntl(fd, FSetFl, flags | ONonBlock) < 0)
        {
            throw new SocketException((int)ToSocketError(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>connect(2) on a non-blocking socket: InProgress until the loop reports it writable.</summary>
    public static SocketError Connect(SafeHandle handle, System.Net.SocketAddress address)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var result = ConnectTo((int)handle.DangerousGetHandle(), ref MemoryMarshal.GetReference(address.Buffer.Span), address.Size);
            return result == 0 ? SocketError.Success : Marshal.GetLastPInvokeError() == EINPROGRESS ? SocketError.InProgress : ToSocketError(Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The socket's pending error (SO_ERROR): how a non-blocking connect ended.</summary>
    public static SocketError PendingError(SafeHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var value = 0;
            var length = sizeof(int);
            if (GetSockOpt((int)handle.DangerousGetHandle(), SolSocket, SoError, ref value, ref length) != 0)
            {
                return ToSocketError(Marshal.GetLastPInvokeError());
            }
            return value == 0 ? SocketError.Success : value == ECONNREFUSED ? SocketError.ConnectionRefused : ToSocketError(value);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int IpProtoTcp = 6;
    private const int TcpNoDelay = 1;
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;
    private const int SolSocket = 1;
    private const int SoError = 4;
    private const int EINPROGRESS = 115;
    private const int ECONNREFUSED = 111;

    [DllImport("libc.so.6", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc.so.6", EntryPoint = "connect", SetLastError = true)]
    private static extern int ConnectTo(int fd, ref byte address, int length);

    [DllImport("libc.so.6", EntryPoint = "accept4", SetLastError = true)]
    private static extern int Accept4(int fd, ref byte address, ref int addressLength, int flags);

    [DllImport("libc.so.6", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [DllImport("libc.so.6", EntryPoint = "getsockopt", SetLastError = true)]
    private static extern int GetSockOpt(int fd, int level, int name, ref int value, ref int length);

    /// <summary>The SocketError .NET reports for the errno values send(2) returns on a connected TCP socket.</summary>
    private static SocketError ToSocketError(int errno) => errno switch
    {
        EAGAIN => SocketError.WouldBlock,
        ECONNRESET => SocketError.ConnectionReset,
        EPIPE => SocketError.Shutdown,
        ENOTCONN => SocketError.NotConnected,
        ECONNABORTED => SocketError.ConnectionAborted,
        ECONNREFUSED => SocketError.ConnectionRefused,
        EMFILE or ENFILE => SocketError.TooManyOpenSockets,
        EINVAL => SocketError.InvalidArgument,
        ETIMEDOUT => SocketError.TimedOut,
        EHOSTUNREACH => SocketError.HostUnreachable,
        ENETUNREACH => SocketError.NetworkUnreachable,
        ENOBUFS or ENOMEM => SocketError.NoBufferSpaceAvailable,
        EBADF => SocketError.OperationAborted,
        _ => SocketError.SocketError,
    };

    // asm-generic/errno-base.h and errno.h (x86-64 and arm64 Linux); EWOULDBLOCK == EAGAIN.
    private const int EINTR = 4;
    private const int EBADF = 9;
    private const int EAGAIN = 11;
    private const int ENOMEM = 12;
    private const int EINVAL = 22;
    private const int ENFILE = 23;
    private const int EMFILE = 24;
    private const int EPIPE = 32;
    private const int ENETUNREACH = 101;
    private const int ECONNABORTED = 103;
    private const int ECONNRESET = 104;
    private const int ENOBUFS = 105;
    private const int ENOTCONN = 107;
    private const int ETIMEDOUT = 110;
    private const int EHOSTUNREACH = 113;
    private const int MsgNoSignal = 0x4000; // a send to a closed peer returns EPIPE instead of raising SIGPIPE

    // `ref byte` rather than a pointer: the project allows no unsafe code; the buffer is pinned for the call.
    [DllImport("libc.so.6", EntryPoint = "recv", SetLastError = true)]
    private static extern nint RecvFrom(int fd, ref byte buffer, nuint length, int flags);

    [DllImport("libc.so.6", EntryPoint = "send", SetLastError = true)]
    private static extern nint SendTo(int fd, ref byte buffer, nuint length, int flags);
}
