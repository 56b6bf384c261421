using System.Net;

namespace FastGate.Core.Transport;

/// <summary>Runs one accepted connection that arrives as a stream (the epoll transport's). Owns the stream.</summary>
internal interface IStreamConnectionHandler
{
    Task HandleStreamAsync(Stream network, EndPoint? remote, SocketListener listener);
}
