namespace FastGate.Core.Transport;

/// <summary>How proxy listeners and upstream connections read and write their sockets.</summary>
internal enum TransportKind
{
    /// <summary>.NET's sockets (Socket, SocketAsyncEngine): every platform; the admin and demo listeners always.</summary>
    Sockets,

    /// <summary>FastGate's own epoll loops with direct recv(2)/send(2) (<see cref="EpollLoop"/>): Linux x86-64 and arm64.</summary>
    Epoll,
}
