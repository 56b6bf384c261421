using System.Net;

namespace FastGate.Core.Transport;

/// <summary>
/// An accepted descriptor, counted by its listener, on its way to the loop it will live on (<see cref="EpollLoop.Post"/>):
/// the stream is made and the connection started on that loop's thread.
/// </summary>
internal sealed class AcceptedConnection(SocketListener listener, RawDescriptorHandle handle, EndPoint remote, EpollLoop loop)
{
    public static readonly Action<object?> StartOnItsLoop = static state => ((AcceptedConnection)state!).Start();

    private void Start() => listener.StartStream(handle, remote, loop);
}
