using System.Net.Sockets;

namespace FastGate.Core.Transport;

/// <summary>Runs one accepted connection to its end. Owns the socket.</summary>
internal interface IConnectionHandler
{
    Task HandleAsync(Socket socket, SocketListener listener);
}
