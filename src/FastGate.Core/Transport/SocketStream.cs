using System.Net.Sockets;

namespace FastGate.Core.Transport;

/// <summary>
/// The Stream under a connection's SslStream (or its pipes, for plain HTTP): NetworkStream, except that a send is one
/// non-blocking send(2) on the calling thread (<see cref="NonBlockingSocketCalls"/>). NetworkStream sends through .NET's
/// async socket engine (Socket.SendAsync, the socket context's operation queue and its lock) even when the kernel takes
/// the bytes at once, as it nearly always does: ~900 instructions per send, two or three sends per proxied request.
/// Measured with bench/ab.sh (2026-12-02, 5 rounds each, B lower in 5 / 5 / 4): CPU per request 0.966 / 0.999 / 0.994
/// of NetworkStream's for GET 64 B / POST 4 KiB / GET 16 KiB.
/// </summary>
/// <remarks>
/// A send the kernel takes only in part continues asynchronously with the rest through NetworkStream; errors surface as
/// NetworkStream's do (an IOException around the SocketException). The socket is non-blocking, so NetworkStream's
/// synchronous Read and Write fail instead of waiting; FastGate does only asynchronous I/O on connections. Reads stay
/// with NetworkStream: reading directly after a zero-byte wait saved instructions too but cost CPU (bench/ab.sh: POST
/// 4 KiB 1.021, 0 of 5 rounds lower; GET 64 B 0.980 with both, against 0.966 with direct sends alone).
/// </remarks>
internal sealed class SocketStream : NetworkStream
{
    // send(2) called directly on Linux (NonBlockingSocketCalls); Socket's own non-blocking Send elsewhere.
    private static readonly bool DirectCalls = OperatingSystem.IsLinux();

    public SocketStream(Socket socket, bool ownsSocket)
        : base(socket, ownsSocket) // refuses a non-blocking socket, so the mode changes after it
    {
        socket.Blocking = false; // a send below returns EAGAIN instead of waiting
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || cancellationToken.IsCancellationRequested)
        {
            return base.WriteAsync(buffer, cancellationToken);
        }
        var error = DirectCalls
            ? NonBlockingSocketCalls.Send(Socket.SafeHandle, buffer.Span, out var sent)
            : SendThroughSocket(buffer.Span, out sent);
        if (error == SocketError.Success)
        {
            return sent == buffer.Length ? ValueTask.CompletedTask : base.WriteAsync(buffer[sent..], cancellationToken);
        }
        return error == SocketError.WouldBlock
            ? base.WriteAsync(buffer, cancellationToken)
            : ValueTask.FromException(SendFailure(error));
    }

    // NetworkStream's array overload does not go through the one above.
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private SocketError SendThroughSocket(ReadOnlySpan<byte> buffer, out int sent)
    {
        sent = Socket.Send(buffer, SocketFlags.None, out var error);
        return error;
    }

    private static IOException SendFailure(SocketError error) =>
        new($"Unable to write data to the transport connection: {error}.", new SocketException((int)error));
}
