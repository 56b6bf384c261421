using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace FastGate.Core.Infrastructure;

/// <summary>
/// A PipeWriter over a connection's Stream that buffers into <see cref="BlockMemoryPool"/> blocks and writes each
/// block with one stream write on flush (a 16 KiB block is one TLS record and one send). Between flushes it holds
/// nothing: no block, no segment objects, no CancellationTokenSource (the framework's StreamPipeWriter keeps all
/// three per connection). A flush that completes synchronously — the common case, the socket accepting the bytes at
/// once — allocates nothing and runs no async state machine.
/// </summary>
/// <remarks>
/// <see cref="GetMemory"/> hands out at most one block. <see cref="CancelPendingFlush"/> marks the flush in progress
/// (or the next) as cancelled; it does not interrupt a stream write, which would leave TLS records half sent.
/// </remarks>
internal sealed class SlimStreamPipeWriter : PipeWriter
{
    private readonly Stream _stream;
    private readonly BlockMemoryPool _pool;
    private PipeBlock? _head; // first unflushed block
    private PipeBlock? _tail; // the block being written
    private bool _flushing;
    private bool _completed;
    private volatile bool _cancelRequested;

    public SlimStreamPipeWriter(Stream stream, BlockMemoryPool pool)
    {
        _stream = stream;
        _pool = pool;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _tail is null ? 0 : _tail.RunningIndex + _tail.End - _head!.RunningIndex;

    public override Memory<byte> GetMemory(int sizeHint = 0) => BlockFor(sizeHint).Writable;

    // Called for every small write of a head (BuffersExtensions.Write asks for a span each time).
    public override Span<byte> GetSpan(int sizeHint = 0) => BlockFor(sizeHint).WritableSpan;

    /// <summary>The block to write into: the tail while it has room for <paramref name="sizeHint"/> bytes (at least one), else a new one.</summary>
    private PipeBlock BlockFor(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_tail is { } tail && tail.WritableBytes >= sizeHint && tail.WritableBytes > 0)
        {
            return tail;
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sizeHint, BlockMemoryPool.BlockSize);
        var next = _pool.RentBlock();
        if (_tail is null)
        {
            _head = next;
        }
        else
        {
            _tail.Link(next);
        }
        return _tail = next;
    }

    public override void Advance(int bytes)
    {
        if (_tail is null)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(bytes, 0);
            return;
        }
        _tail.Commit(bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _flushing = true;
        try
        {
            while (_head is { } block)
            {
                if (block.End > 0)
                {
                    var write = _stream.WriteAsync(block.Memory, cancellationToken);
                    if (!write.IsCompleted)
                    {
                        return FlushPendingAsync(write, headWrite: true, cancellationToken);
                    }
                    write.GetAwaiter().GetResult();
                }
                ReleaseHead();
            }
            var flush = _stream.FlushAsync(cancellationToken);
            if (!flush.IsCompleted)
            {
                return FlushPendingAsync(new ValueTask(flush), headWrite: false, cancellationToken);
            }
            flush.GetAwaiter().GetResult();
        }
        catch
        {
            EndFlush();
            throw;
        }
        return new ValueTask<FlushResult>(EndFlush());
    }

    /// <summary>The rest of a flush after the head block's write (<paramref name="headWrite"/>) or the stream flush went pending.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> FlushPendingAsync(ValueTask pending, bool headWrite, CancellationToken cancellationToken)
    {
        try
        {
            await pending.ConfigureAwait(false);
            if (headWrite)
            {
                ReleaseHead();
                while (_head is { } block)
                {
                    if (block.End > 0)
                    {
                        await _stream.WriteAsync(block.Memory, cancellationToken).ConfigureAwait(false);
                    }
                    ReleaseHead();
                }
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            EndFlush();
            throw;
        }
        return EndFlush();
    }

    public override void CancelPendingFlush() => _cancelRequested = true;

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        if (!_flushing)
        {
            ReleaseBlocks();
        }
    }

    private FlushResult EndFlush()
    {
        _flushing = false;
        if (_completed)
        {
            ReleaseBlocks();
        }
        var cancelled = _cancelRequested;
        _cancelRequested = false;
        return new FlushResult(isCanceled: cancelled, isCompleted: false);
    }

    private void ReleaseHead()
    {
        var block = _head!;
        _head = block.NextBlock;
        if (_head is null)
        {
            _tail = null;
        }
        block.Dispose();
    }

    private void ReleaseBlocks()
    {
        while (_head is not null)
        {
            ReleaseHead();
        }
    }
}
