using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace FastGate.Core.Transport;

/// <summary>
/// EXPERIMENT (branch experiment/epoll-transport, not shipped): a connected socket read and written with direct
/// recv(2)/send(2) and waited on by <see cref="EpollLoop"/>, so the socket never gets .NET's SocketAsyncContext,
/// event args and operation objects. Owns the socket.
/// </summary>
internal sealed class RawSocketStream : Stream, IEpollTarget
{
    private readonly Socket? _socket;
    private readonly System.Runtime.InteropServices.SafeHandle _handle;
    private readonly int _fd;
    private readonly int _slot;
    private readonly Lock _lock = new();
    private readonly Operation _readOp = new();
    private readonly Operation _writeOp = new();
    private Memory<byte> _readBuffer;
    private ReadOnlyMemory<byte> _writeBuffer;
    private bool _readPending;
    private bool _writePending;
    private int _readSeq;
    private int _writeSeq;
    private bool _disposed;

    public RawSocketStream(Socket socket)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _fd = (int)_handle.DangerousGetHandle();
        // fcntl, not Socket.Blocking: the property gives the socket a SocketAsyncContext (~150 B) it never uses here.
        NonBlockingSocketCalls.SetNonBlocking(_fd);
        _slot = EpollLoop.Instance.Register(this, _fd);
    }

    /// <summary>
    /// A non-blocking connect(2) waited on by the loop (writable, then SO_ERROR), so the socket never meets .NET's
    /// epoll thread; disposed (and failed) when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public static async ValueTask<RawSocketStream> ConnectAsync(Socket socket, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var stream = new RawSocketStream(socket);
        try
        {
            var seq = stream.WriteSequence;
            var error = NonBlockingSocketCalls.Connect(stream._handle, remote.Serialize());
            if (error == SocketError.InProgress || error == SocketError.WouldBlock)
            {
                using (cancellationToken.UnsafeRegister(static s => ((RawSocketStream)s!).Dispose(), stream))
                {
                    await stream.WaitWritableAsync(seq).ConfigureAwait(false);
                }
                cancellationToken.ThrowIfCancellationRequested();
                error = NonBlockingSocketCalls.PendingError(stream._handle);
            }
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
            return stream;
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
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

    private int WriteSequence => Volatile.Read(ref _writeSeq);

    /// <summary>Completes when the loop reports the socket writable (a connect finished, either way).</summary>
    private ValueTask WaitWritableAsync(int seq)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.FromException(new ObjectDisposedException(nameof(RawSocketStream)));
            }
            if (Volatile.Read(ref _writeSeq) != seq)
            {
                return ValueTask.CompletedTask; // the loop saw it writable already (the edge is not repeated)
            }
            _writeBuffer = ReadOnlyMemory<byte>.Empty;
            _writePending = true;
            _writeOp.Reset();
        }
        return new ValueTask(_writeOp, _writeOp.Version);
    }

    /// <summary>An accepted descriptor, already non-blocking (accept4 SOCK_NONBLOCK): no Socket object at all.</summary>
    public RawSocketStream(RawDescriptorHandle handle)
    {
        _handle = handle;
        _fd = (int)handle.DangerousGetHandle();
        _slot = EpollLoop.Instance.Register(this, _fd);
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

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var seq = Volatile.Read(ref _readSeq);
            var error = TryReceive(buffer.Span, out var received);
            if (error == SocketError.Success)
            {
                return new ValueTask<int>(received);
            }
            if (error != SocketError.WouldBlock)
            {
                return ValueTask.FromException<int>(Failure(error));
            }
            lock (_lock)
            {
                if (_disposed)
                {
                    return ValueTask.FromException<int>(new ObjectDisposedException(nameof(RawSocketStream)));
                }
                if (Volatile.Read(ref _readSeq) != seq)
                {
                    continue; // readable since the attempt: try again
                }
                _readBuffer = buffer;
                _readPending = true;
                _readOp.Reset();
            }
            return new ValueTask<int>(_readOp, _readOp.Version);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var seq = Volatile.Read(ref _writeSeq);
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
            lock (_lock)
            {
                if (_disposed)
                {
                    return ValueTask.FromException(new ObjectDisposedException(nameof(RawSocketStream)));
                }
                if (Volatile.Read(ref _writeSeq) != seq)
                {
                    continue;
                }
                _writeBuffer = buffer;
                _writePending = true;
                _writeOp.Reset();
            }
            return new ValueTask(_writeOp, _writeOp.Version);
        }
    }

    /// <summary>On the epoll thread: the descriptor became readable or writable (edge), or failed.</summary>
    public void OnEvents(uint events)
    {
        if ((events & (EpollLoop.In | EpollLoop.Err | EpollLoop.Hup | EpollLoop.RdHup)) != 0)
        {
            Interlocked.Increment(ref _readSeq);
            Memory<byte> buffer;
            var received = 0;
            lock (_lock)
            {
                if (!_readPending)
                {
                    goto write;
                }
                buffer = _readBuffer;
            }
            // A zero-byte read waits for readability, which the edge itself reports (end of stream and errors too).
            var error = buffer.IsEmpty ? SocketError.Success : TryReceive(buffer.Span, out received);
            if (error != SocketError.WouldBlock)
            {
                lock (_lock)
                {
                    if (!_readPending)
                    {
                        goto write; // disposed meanwhile: Dispose completed it
                    }
                    _readPending = false;
                    _readBuffer = default;
                }
                if (error == SocketError.Success)
                {
                    _readOp.SetResult(received);
                }
                else
                {
                    _readOp.SetException(Failure(error));
                }
            }
        }
    write:
        if ((events & (EpollLoop.Out | EpollLoop.Err | EpollLoop.Hup)) != 0)
        {
            Interlocked.Increment(ref _writeSeq);
            ReadOnlyMemory<byte> buffer;
            lock (_lock)
            {
                if (!_writePending)
                {
                    return;
                }
                buffer = _writeBuffer;
            }
            if (buffer.IsEmpty)
            {
                // A connect waiting for writability: done, either way (the caller reads SO_ERROR).
                lock (_lock)
                {
                    if (!_writePending)
                    {
                        return;
                    }
                    _writePending = false;
                }
                _writeOp.SetResult(0);
                return;
            }
            while (true)
            {
                var error = NonBlockingSocketCalls.Send(_handle, buffer.Span, out var sent);
                if (error == SocketError.Success && sent < buffer.Length)
                {
                    buffer = buffer[sent..];
                    continue;
                }
                if (error == SocketError.WouldBlock)
                {
                    lock (_lock)
                    {
                        _writeBuffer = buffer;
                    }
                    return;
                }
                lock (_lock)
                {
                    if (!_writePending)
                    {
                        return;
                    }
                    _writePending = false;
                    _writeBuffer = default;
                }
                if (error == SocketError.Success)
                {
                    _writeOp.SetResult(0);
                }
                else
                {
                    _writeOp.SetException(Failure(error));
                }
                return;
            }
        }
    }

    private SocketError TryReceive(Span<byte> buffer, out int received)
    {
        if (buffer.IsEmpty)
        {
            // A zero-byte read waits for readability: peek one byte (end of stream also completes it).
            Span<byte> one = stackalloc byte[1];
            var error = NonBlockingSocketCalls.Receive(_handle, one, NonBlockingSocketCalls.MsgPeek, out _);
            received = 0;
            return error;
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
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }
                _disposed = true;
                read = _readPending;
                write = _writePending;
                _readPending = _writePending = false;
            }
            EpollLoop.Instance.Unregister(_slot, _fd);
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
                // Not on the disposing thread (the heartbeat aborting a deadline): a pool thread resumes the waiter.
                ThreadPool.UnsafeQueueUserWorkItem(static state =>
                {
                    var (stream, r, w) = state;
                    if (r)
                    {
                        stream._readOp.SetException(new IOException("The connection was closed."));
                    }
                    if (w)
                    {
                        stream._writeOp.SetException(new IOException("The connection was closed."));
                    }
                }, (this, read, write), preferLocal: false);
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>One pending read or write: completes its awaiter inline, on the thread that completes it.</summary>
    private sealed class Operation : IValueTaskSource<int>, IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<int> _core; // continuations run inline

        public short Version => _core.Version;
        public void Reset() => _core.Reset();
        public void SetResult(int result) => _core.SetResult(result);
        public void SetException(Exception error) => _core.SetException(error);
        public int GetResult(short token) => _core.GetResult(token);
        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);
        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
