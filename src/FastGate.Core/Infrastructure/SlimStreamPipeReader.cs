using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace FastGate.Core.Infrastructure;

/// <summary>
/// A PipeReader over a connection's Stream (SslStream or SocketStream) that reads into <see cref="BlockMemoryPool"/>
/// blocks. Unlike the framework's StreamPipeReader it keeps almost nothing alive while a connection waits (dotnet-gcdump,
/// 2,000 idle TLS connections: the framework's reader and writer held 467 B per connection more than these two — the
/// reader's suspended async state machine, its CancellationTokenSource, both pipes' segment objects): it is its own
/// IValueTaskSource, passes no token to the stream, and holds no block during an idle wait (a zero-byte read comes
/// first when nothing is buffered).
/// </summary>
/// <remarks>
/// <see cref="CancelPendingRead"/> ends the waiting ReadAsync at once (on the thread pool) and leaves the stream read
/// running: its bytes are kept for the next read, so a cancellation never loses data and never interrupts SslStream
/// midway through a record. One consumer at a time, as for every PipeReader; CancelPendingRead from any thread.
/// Blocks are returned when consumed, or, after <see cref="Complete"/>, once a stream read still running has ended.
/// While no stream read runs and no cancellation is pending, the consumer is the only one touching the buffer, so
/// TryRead, AdvanceTo and a ReadAsync with bytes ready take no lock (5 of the ~19 lock pairs per proxied request).
/// </remarks>
internal sealed class SlimStreamPipeReader : PipeReader, IValueTaskSource<ReadResult>, IThreadPoolWorkItem
{
    private readonly Stream _stream;
    private readonly BlockMemoryPool _pool;
    private readonly int _minimumReadSize;
    private readonly bool _zeroByteReads;
    private readonly Lock _sync = new();
    private readonly Action _onStreamRead;

    private ManualResetValueTaskSourceCore<ReadResult> _waiter;
    private ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter _streamRead;
    private CancellationTokenRegistration _tokenRegistration;
    private CancellationToken _token;

    // Buffered bytes run from (_head, _headIndex) to (_tail, _tail.End).
    private PipeBlock? _head;
    private int _headIndex;
    private PipeBlock? _tail;
    private long _buffered;
    private bool _examinedAll; // the consumer saw every buffered byte and wants more

    private bool _reading;          // a stream read is running
    private bool _readingZeroBytes; // ... and it is the zero-byte wait (it writes into no block)
    private bool _waiting;          // a ReadAsync is suspended on _waiter
    private bool _cancelRequested;
    private bool _streamEnded;
    private bool _completed;
    private ExceptionDispatchInfo? _error;

    public SlimStreamPipeReader(Stream stream, BlockMemoryPool pool, int minimumReadSize, bool zeroByteReads)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumReadSize, BlockMemoryPool.BlockSize);
        _stream = stream;
        _pool = pool;
        _minimumReadSize = Math.Max(1, minimumReadSize);
        _zeroByteReads = zeroByteReads;
        _onStreamRead = OnStreamReadCompleted;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var alone = ConsumerAlone;
        if (alone)
        {
            ThrowIfCompletedOrWaiting();
            if (TryTakeResult(out var buffered))
            {
                return new ValueTask<ReadResult>(buffered);
            }
        }
        lock (_sync)
        {
            // Checked without the lock already unless a cancellation has come since.
            if (!alone || _cancelRequested)
            {
                ThrowIfCompletedOrWaiting();
                if (TryTakeResult(out var ready))
                {
                    return new ValueTask<ReadResult>(ready);
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            _waiter.Reset();
            _waiting = true;
            if (cancellationToken.CanBeCanceled)
            {
                _token = cancellationToken;
                _tokenRegistration = cancellationToken.UnsafeRegister(static state => ((SlimStreamPipeReader)state!).CancelFromToken(), this);
            }
            if (_reading)
            {
                // A read outlived a cancelled ReadAsync: this one waits for it.
                return new ValueTask<ReadResult>(this, _waiter.Version);
            }
            PrepareStreamRead();
        }
        var version = _waiter.Version;
        ReadFromStream();
        return new ValueTask<ReadResult>(this, version);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (ConsumerAlone)
        {
            ThrowIfCompletedOrWaiting();
            return TryTakeResult(out result);
        }
        lock (_sync)
        {
            ThrowIfCompletedOrWaiting();
            return TryTakeResult(out result);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!Volatile.Read(ref _reading))
        {
            Advance(consumed, examined);
            return;
        }
        lock (_sync)
        {
            Advance(consumed, examined);
        }
    }

    /// <summary>
    /// True when no stream read is running and no cancellation is pending: nothing but the consumer can touch the
    /// buffer until the consumer itself starts a read. A running read's completion sets _reading to false as the last
    /// thing it does to the buffer; a cancellation is only ever set by others, and then the locked path handles it.
    /// </summary>
    private bool ConsumerAlone => !Volatile.Read(ref _reading) && !Volatile.Read(ref _cancelRequested);

    /// <summary>Under the lock, or with no stream read running: releases the consumed blocks.</summary>
    private void Advance(SequencePosition consumed, SequencePosition examined)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (consumed.GetObject() is PipeBlock consumedBlock)
        {
            var consumedIndex = consumed.GetInteger();
            var released = _head;
            while (released is not null && released != consumedBlock)
            {
                var next = released.NextBlock;
                released.Dispose();
                released = next;
            }
            if (released is null)
            {
                throw new InvalidOperationException("The consumed position is not in the buffer this reader returned.");
            }
            _head = consumedBlock;
            _headIndex = consumedIndex;
            while (_head != _tail && _headIndex == _head.End)
            {
                var next = _head.NextBlock!;
                _head.Dispose();
                _head = next;
                _headIndex = 0;
            }
        }
        if (_tail is not null)
        {
            _buffered = _tail.RunningIndex + _tail.End - (_head!.RunningIndex + _headIndex);
        }
        _examinedAll = _buffered == 0 || (examined.GetObject() == _tail && examined.GetInteger() == _tail!.End);
        if (_buffered == 0 && !(_reading && !_readingZeroBytes))
        {
            ReleaseBlocks(); // consumed: an idle connection holds no block
        }
    }

    public override void CancelPendingRead()
    {
        lock (_sync)
        {
            _cancelRequested = true;
            if (!_waiting)
            {
                return; // the next read returns cancelled
            }
        }
        // Not inline: the caller may be a timer thread checking every connection's deadline.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        ReadResult result;
        lock (_sync)
        {
            if (!_waiting || !_cancelRequested)
            {
                return; // a stream read finished first and delivered its bytes; the cancellation waits for the next read
            }
            TryTakeResult(out result);
            StopWaiting();
        }
        _waiter.SetResult(result);
    }

    public override void Complete(Exception? exception = null)
    {
        lock (_sync)
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            if (!_reading || _readingZeroBytes)
            {
                ReleaseBlocks();
            }
            // else the running read writes into the tail block: OnStreamReadCompleted returns the blocks.
        }
    }

    /// <summary>Under the lock: a result for a ReadAsync or TryRead now, if there is one (else wait for the stream).</summary>
    private bool TryTakeResult(out ReadResult result)
    {
        if (_cancelRequested)
        {
            _cancelRequested = false;
            result = new ReadResult(Buffered(), isCanceled: true, isCompleted: _streamEnded);
            return true;
        }
        if (_buffered > 0 && !_examinedAll)
        {
            result = new ReadResult(Buffered(), isCanceled: false, isCompleted: _streamEnded);
            return true;
        }
        _error?.Throw();
        if (_streamEnded)
        {
            result = new ReadResult(Buffered(), isCanceled: false, isCompleted: true);
            return true;
        }
        result = default;
        return false;
    }

    private ReadOnlySequence<byte> Buffered() =>
        _buffered == 0 ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_head!, _headIndex, _tail!, _tail!.End);

    /// <summary>Under the lock: the next stream read is a zero-byte wait when nothing is buffered, else a read into the tail block.</summary>
    private void PrepareStreamRead()
    {
        _reading = true;
        _readingZeroBytes = _zeroByteReads && _buffered == 0 && !_readingZeroBytes;
        if (_readingZeroBytes)
        {
            return;
        }
        if (_tail is null)
        {
            _head = _tail = _pool.RentBlock();
            _headIndex = 0;
        }
        else if (_tail.WritableBytes < _minimumReadSize)
        {
            var next = _pool.RentBlock();
            _tail.Link(next);
            _tail = next;
        }
    }

    /// <summary>Runs stream reads until one is pending or a result is delivered. Called outside the lock.</summary>
    private void ReadFromStream()
    {
        while (true)
        {
            ValueTask<int> read;
            try
            {
                read = _stream.ReadAsync(_readingZeroBytes ? Memory<byte>.Empty : _tail!.Writable);
            }
            catch (Exception e)
            {
                read = ValueTask.FromException<int>(e);
            }
            var awaiter = read.ConfigureAwait(false).GetAwaiter();
            if (!awaiter.IsCompleted)
            {
                _streamRead = awaiter;
                awaiter.UnsafeOnCompleted(_onStreamRead);
                return;
            }
            if (!OnStreamRead(awaiter))
            {
                return;
            }
        }
    }

    private void OnStreamReadCompleted()
    {
        var awaiter = _streamRead;
        _streamRead = default;
        if (OnStreamRead(awaiter))
        {
            ReadFromStream();
        }
    }

    /// <summary>Takes a finished stream read's outcome; true when another stream read must follow (the data read after a zero-byte wait).</summary>
    private bool OnStreamRead(ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter awaiter)
    {
        int count;
        Exception? error = null;
        try
        {
            count = awaiter.GetResult();
        }
        catch (Exception e)
        {
            count = 0;
            error = e;
        }
        ReadResult result = default;
        Exception? failure = null;
        lock (_sync)
        {
            if (_completed)
            {
                ReleaseBlocks();
                Volatile.Write(ref _reading, false);
                return false;
            }
            if (error is not null)
            {
                _error = ExceptionDispatchInfo.Capture(error);
            }
            else if (_readingZeroBytes)
            {
                PrepareStreamRead(); // bytes are there (or the end is): now read them into a block
                return true;
            }
            else if (count == 0)
            {
                _streamEnded = true;
            }
            else
            {
                _tail!.Commit(count);
                _buffered += count;
                _examinedAll = false;
            }
            _readingZeroBytes = false;
            if (_buffered == 0 && _tail is not null)
            {
                ReleaseBlocks(); // a read that brought nothing keeps no block
            }
            if (!_waiting)
            {
                // The bytes wait for the next ReadAsync. Last: from here a consumer may take the buffer without the lock.
                Volatile.Write(ref _reading, false);
                return false;
            }
            _reading = false; // the consumer is suspended until the result below
            try
            {
                if (!TryTakeResult(out result))
                {
                    // Cannot happen: a finished read always leaves bytes, an end or an error.
                    throw new InvalidOperationException("A stream read finished without a result.");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            StopWaiting();
        }
        if (failure is null)
        {
            _waiter.SetResult(result);
        }
        else
        {
            _waiter.SetException(failure);
        }
        return false;
    }

    private void CancelFromToken()
    {
        lock (_sync)
        {
            if (!_waiting)
            {
                return;
            }
            StopWaiting();
        }
        _waiter.SetException(new OperationCanceledException(_token));
    }

    /// <summary>Under the lock: the suspended ReadAsync is about to be completed.</summary>
    private void StopWaiting()
    {
        _waiting = false;
        _tokenRegistration.Dispose();
        _tokenRegistration = default;
    }

    private void ReleaseBlocks()
    {
        var block = _head;
        _head = _tail = null;
        _headIndex = 0;
        _buffered = 0;
        while (block is not null)
        {
            var next = block.NextBlock;
            block.Dispose();
            block = next;
        }
    }

    private void ThrowIfCompletedOrWaiting()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_waiting)
        {
            throw new InvalidOperationException("A read is already waiting on this pipe.");
        }
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
