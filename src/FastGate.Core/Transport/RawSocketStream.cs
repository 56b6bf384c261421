using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace FastGate.Core.Transport;

/// <summary>
/// A connected socket read and written with direct recv(2)/send(2) and waited on by an <see cref="EpollLoop"/>: no
/// SocketAsyncContext, event args or operation objects. A read or write tries the call first and waits for the loop's
/// edge only when the kernel has nothing (or no room); the loop then retries it and completes the waiter inline on its
/// thread. A zero-byte read waits for readability without taking a buffer. One read and one write may be pending at
/// once (the Stream contract SslStream and the pipes keep); the stream itself is their IValueTaskSource, so waiting
/// allocates nothing. Dispose closes the descriptor and fails pending waits. Owns the descriptor.
/// </summary>
internal sealed class RawSocketStream : Stream, IEpollTarget, IValueTaskSource<int>, IValueTaskSource
{
    private readonly Socket? _socket;
    private readonly SafeHandle _handle;
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly int _slot;
    private ManualResetValueTaskSourceCore<int> _read; // continuations run inline, on the completing thread
    private ManualResetValueTaskSourceCore<int> _write;
    private Memory<byte> _readBuffer;
    private ReadOnlyMemory<byte> _writeBuffer;
    private bool _readPending;
    private bool _writePending;
    private bool _disposed;
    // Bumped by the loop on each edge before it looks for a waiter: a call that found nothing compares it before it
    // waits, so an edge between the call and the wait is not lost (edges are not repeated).
    private int _readEdges;
    // The read edge count at which the socket was last seen drained (EAGAIN, or a read shorter than its buffer, as
    // nginx's ready flag): until the next edge a read waits without trying recv(2), which could only say EAGAIN.
    private int _drainedAtEdge = -1;
    // The peer closed or reset (EPOLLRDHUP, EPOLLHUP, EPOLLERR seen): a short read no longer means drained, since
    // the end of stream or the error may already be queued behind the bytes it returned, and no edge would follow.
    private bool _hungUp;
    private int _writeEdges;

    /// <summary>An accepted descriptor, already non-blocking (accept4 with SOCK_NONBLOCK).</summary>
    public RawSocketStream(RawDescriptorHandle handle, EpollLoop loop)
    {
        _handle = handle;
        _loop = loop;
        _fd = (int)handle.DangerousGetHandle();
        _slot = loop.Register(this, _fd);
    }

    /// <summary>A connected (or about to connect) Socket, which the stream then owns.</summary>
    internal RawSocketStream(Socket socket, EpollLoop loop)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _loop = loop;
        _fd = (int)_handle.DangerousGetHandle();
        // fcntl, not Socket.Blocking: the property gives the socket a SocketAsyncContext it would never use.
        NonBlockingSocketCalls.SetNonBlocking(_fd);
        _slot = loop.Register(this, _fd);
    }

    /// <summary>
    /// Connects <paramref name="socket"/> (which the stream then owns) with a non-blocking connect(2) waited on by the
    /// loop (writable, then SO_ERROR), so it never meets .NET's socket engine. When <paramref name="cancellationToken"/>
    /// fires first the socket is closed and OperationCanceledException thrown; a refused or failed connect throws
    /// SocketException. Either way the socket is disposed. The stream lives on <paramref name="loop"/>.
    /// </summary>
    public static async ValueTask<RawSocketStream> ConnectAsync(Socket socket, IPEndPoint remote, EpollLoop loop, CancellationToken cancellationToken)
    {
        var stream = new RawSocketStream(socket, loop);
        try
        {
            var edges = stream.WriteEdges;
            var error = NonBlockingSocketCalls.Connect(stream._handle, remote.Serialize());
            if (error is SocketError.InProgress or SocketError.WouldBlock)
            {
                using (cancellationToken.UnsafeRegister(static s => ((RawSocketStream)s!).Dispose(), stream))
                {
                    await stream.WaitWritableAsync(edges).ConfigureAwait(false);
                }
                error = NonBlockingSocketCalls.PendingError(stream._handle);
            }
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
            return stream;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            stream.Dispose();
            throw new OperationCanceledException(cancellationToken);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private int WriteEdges => Volatile.Read(ref _writeEdges);

    /// <summary>The loop whose thread completes this stream's waits.</summary>
    public EpollLoop Loop => _loop;

    /// <summary>Completes when the loop reports the socket writable (a connect finished, either way).</summary>
    private ValueTask WaitWritableAsync(int edges)
    {
        lock (this)
        {
            if (_disposed)
            {
                return ValueTask.FromException(new ObjectDisposedException(nameof(RawSocketStream)));
            }
            if (Volatile.Read(ref _writeEdges) != edges)
            {
                return ValueTask.CompletedTask; // the loop saw it writable already
            }
            _writeBuffer = ReadOnlyMemory<byte>.Empty;
            _writePending = true;
            _write.Reset();
        }
        return new ValueTask(this, _write.Version);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Bytes received (0: the peer's end of stream), or, for an empty <paramref name="buffer"/>, 0 once the socket is
    /// readable. Cancellation is by Dispose (FastGate's deadlines close the stream), not by the token.
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var edges = Volatile.Read(ref _readEdges);
            if (edges != Volatile.Read(ref _drainedAtEdge) || Volatile.Read(ref _hungUp))
            {
                var error = TryReceive(buffer.Span, out var received);
                if (error == SocketError.Success)
                {
                    if (received > 0 && received < buffer.Length)
                    {
                        Volatile.Write(ref _drainedAtEdge, edges);
                    }
                    return new ValueTask<int>(received);
                }
                if (error != SocketError.WouldBlock)
                {
                    return ValueTask.FromException<int>(Failure(error));
                }
                Volatile.Write(ref _drainedAtEdge, edges);
            }
            lock (this)
            {
                if (_disposed)
                {
                    return ValueTask.FromException<int>(new ObjectDisposedException(nameof(RawSocketStream)));
                }
                if (Volatile.Read(ref _readEdges) != edges)
                {
                    continue; // readable since the attempt: try again
                }
                _readBuffer = buffer;
                _readPending = true;
                _read.Reset();
            }
            return new ValueTask<int>(this, _read.Version);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var edges = Volatile.Read(ref _writeEdges);
            var error = NonBlockingSocketCalls.Send(_handle, buffer.Span, out var sent);
            if (error == SocketError.Success)
            {
                if (sent == buffer.Length)
                {
                    return ValueTask.CompletedTask;
                }
                buffer = buffer[sent..];
                continue;
            }
            if (error != SocketError.WouldBlock)
            {
                return ValueTask.FromException(Failure(error));
            }
            lock (this)
            {
                if (_disposed)
                {
                    return ValueTask.FromException(new ObjectDisposedException(nameof(RawSocketStream)));
                }
                if (Volatile.Read(ref _writeEdges) != edges)
                {
                    continue;
                }
                _writeBuffer = buffer;
                _writePending = true;
                _write.Reset();
            }
            return new ValueTask(this, _write.Version);
        }
    }

    /// <summary>On the loop's thread: the descriptor became readable or writable, or failed (an edge).</summary>
    public void OnEvents(uint events)
    {
        if ((events & (EpollLoop.Err | EpollLoop.Hup | EpollLoop.RdHup)) != 0)
        {
            Volatile.Write(ref _hungUp, true); // before the edge is counted
        }
        if ((events & (EpollLoop.In | EpollLoop.Err | EpollLoop.Hup | EpollLoop.RdHup)) != 0)
        {
            OnReadable();
        }
        if ((events & (EpollLoop.Out | EpollLoop.Err | EpollLoop.Hup)) != 0)
        {
            OnWritable();
        }
    }

    private void OnReadable()
    {
        var edges = Interlocked.Increment(ref _readEdges);
        Memory<byte> buffer;
        lock (this)
        {
            if (!_readPending)
            {
                return;
            }
            buffer = _readBuffer;
        }
        // A zero-byte read waits for readability, which the edge reports: no peek. An edge that is stale (its bytes
        // read already by a read that did not wait) completes it early; the read it announces then waits itself.
        var received = 0;
        var error = buffer.IsEmpty ? SocketError.Success : TryReceive(buffer.Span, out received);
        if (error == SocketError.WouldBlock || (received > 0 && received < buffer.Length))
        {
            Volatile.Write(ref _drainedAtEdge, edges);
        }
        if (error == SocketError.WouldBlock)
        {
            return; // a spurious event: the next edge comes
        }
        lock (this)
        {
            if (!_readPending)
            {
                return; // disposed meanwhile: Dispose failed the wait
            }
            _readPending = false;
            _readBuffer = default;
        }
        if (error == SocketError.Success)
        {
            _read.SetResult(received);
        }
        else
        {
            _read.SetException(Failure(error));
        }
    }

    private void OnWritable()
    {
        Interlocked.Increment(ref _writeEdges);
        ReadOnlyMemory<byte> buffer;
        lock (this)
        {
            if (!_writePending)
            {
                return;
            }
            buffer = _writeBuffer;
        }
        var error = SocketError.Success;
        // Empty: a connect waiting for writability, done either way (the caller reads SO_ERROR).
        while (!buffer.IsEmpty)
        {
            error = NonBlockingSocketCalls.Send(_handle, buffer.Span, out var sent);
            if (error != SocketError.Success)
            {
                break;
            }
            buffer = buffer[sent..];
        }
        lock (this)
        {
            if (!_writePending)
            {
                return;
            }
            if (error == SocketError.WouldBlock)
            {
                _writeBuffer = buffer; // the rest waits for the next edge
                return;
            }
            _writePending = false;
            _writeBuffer = default;
        }
        if (error == SocketError.Success)
        {
            _write.SetResult(0);
        }
        else
        {
            _write.SetException(Failure(error));
        }
    }

    private SocketError TryReceive(Span<byte> buffer, out int received)
    {
        if (buffer.IsEmpty)
        {
            // Readable? Peek one byte: data or the end of stream answers, an empty queue says WouldBlock.
            Span<byte> one = stackalloc byte[1];
            received = 0;
            return NonBlockingSocketCalls.Receive(_handle, one, NonBlockingSocketCalls.MsgPeek, out _);
        }
        return NonBlockingSocketCalls.Receive(_handle, buffer, 0, out received);
    }

    private static IOException Failure(SocketError error) =>
        new($"Unable to transfer data on the transport connection: {error}.", new SocketException((int)error));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bool read, write;
            lock (this)
            {
                if (_disposed)
                {
                    return;
                }
                _disposed = true;
                read = _readPending;
                write = _writePending;
                _readPending = _writePending = false;
                _readBuffer = default;
                _writeBuffer = default;
            }
            _loop.Unregister(_slot, _fd);
            // A Socket closes gracefully (a FIN after what was sent); the accepted descriptor's handle does close(2).
            if (_socket is not null)
            {
                _socket.Dispose();
            }
            else
            {
                _handle.Dispose();
            }
            if (read || write)
            {
                // Not on the disposing thread (a deadline's timer, or a waiter's own continuation): a pool thread
                // resumes the waiters, so none runs under the caller's locks.
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Stream.FailWaits(state.Read, state.Write),
                    (Stream: this, Read: read, Write: write), preferLocal: false);
            }
        }
        base.Dispose(disposing);
    }

    private void FailWaits(bool read, bool write)
    {
        if (read)
        {
            _read.SetException(new IOException("The connection was closed."));
        }
        if (write)
        {
            _write.SetException(new IOException("The connection was closed."));
        }
    }

    // ValueTask<int> is a read, ValueTask a write (or a connect's wait).
    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);
    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token) => _write.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _write.GetStatus(token);
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _write.OnCompleted(continuation, state, token, flags);
}
