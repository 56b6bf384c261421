using System.Net.Sockets;

namespace FastGate.Core.Transport;

/// <summary>
/// The Stream under a connection's SslStream (or its pipes, for plain HTTP): a send, and a read made when bytes are
/// known to be waiting, is one non-blocking syscall on the calling thread; everything else goes through a
/// NetworkStream and .NET's async socket engine. NetworkStream sends every operation through that engine
/// (Socket.ReceiveAsync/SendAsync, the socket context's operation queue and its lock) even when the kernel answers at
/// once: ~600 instructions per call beyond the syscall (callgrind), three such calls per proxied request.
/// </summary>
/// <remarks>
/// Bytes are "known to be waiting" after a zero-byte read completed (the client side's idle wait) and after a read
/// that filled its whole buffer. A guess that turns out wrong costs one extra EAGAIN receive before the async read.
/// A send the kernel takes only in part continues asynchronously with the rest. Errors surface as NetworkStream's
/// do: an IOException around the SocketException.
/// </remarks>
internal sealed class SocketStream : Stream
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private bool _bytesWaiting;

    public SocketStream(Socket socket, bool ownsSocket)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket); // refuses a non-blocking socket, so it comes first
        socket.Blocking = false; // synchronous Send/Receive below return WouldBlock instead of waiting
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            _bytesWaiting = true; // the next read comes after this wait has ended, when the kernel has bytes (or EOF)
            return _network.ReadAsync(buffer, cancellationToken);
        }
        if (_bytesWaiting && !cancellationToken.IsCancellationRequested)
        {
            var received = _socket.Receive(buffer.Span, SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                _bytesWaiting = received == buffer.Length;
                return new ValueTask<int>(received);
            }
            _bytesWaiting = false;
            if (error != SocketError.WouldBlock)
            {
                return ValueTask.FromException<int>(Failure(error, "read"));
            }
        }
        return _network.ReadAsync(buffer, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || cancellationToken.IsCancellationRequested)
        {
            return _network.WriteAsync(buffer, cancellationToken);
        }
        var sent = _socket.Send(buffer.Span, SocketFlags.None, out var error);
        if (error == SocketError.Success)
        {
            return sent == buffer.Length ? ValueTask.CompletedTask : _network.WriteAsync(buffer[sent..], cancellationToken);
        }
        return error == SocketError.WouldBlock
            ? _network.WriteAsync(buffer, cancellationToken)
            : ValueTask.FromException(Failure(error, "write"));
    }

    private static IOException Failure(SocketError error, string operation) =>
        new($"Unable to {operation} data on the transport connection: {error}.", new SocketException((int)error));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous I/O would block a socket-engine thread; FastGate never does it, but a Stream must answer.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _network.Dispose();
        }
        base.Dispose(disposing);
    }
}
