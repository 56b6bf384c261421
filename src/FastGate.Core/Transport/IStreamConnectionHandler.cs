using System.Net;

namespace FastGate.Core.Transport;

/// <summary>
/// Runs the connections a listener admitted as streams (the epoll transport's RawSocketStream, or a socket's
/// SocketStream). Owns the stream, and when the connection ends — however it ends — logs what failed
/// (<see cref="SocketListener.ConnectionFailed"/>) and reports the end (<see cref="SocketListener.ConnectionEnded"/>).
/// </summary>
internal interface IStreamConnectionHandler
{
    void Start(Stream network, EndPoint? remote, SocketListener listener);
}
