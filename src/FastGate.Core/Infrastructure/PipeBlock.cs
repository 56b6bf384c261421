using System.Buffers;

namespace FastGate.Core.Infrastructure;

/// <summary>
/// One 16 KiB block of pipe memory from <see cref="BlockMemoryPool"/>, and at the same time the sequence segment that
/// exposes its written bytes to a reader: a connection's pipes link blocks directly, so they keep no segment objects
/// of their own (the framework's stream pipes keep a BufferSegment pool per pipe, alive while the connection idles).
/// </summary>
internal sealed class PipeBlock : ReadOnlySequenceSegment<byte>, IMemoryOwner<byte>
{
    // Pinned: plain-HTTP sockets send and receive straight from pipe memory without pinning it per operation.
    private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockMemoryPool.BlockSize, pinned: true);
    private readonly BlockMemoryPool _pool;

    public PipeBlock(BlockMemoryPool pool)
    {
        _pool = pool;
    }

    public bool Rented { get; set; } = true;

    /// <summary>Bytes written into the block so far; the segment's <see cref="ReadOnlySequenceSegment{T}.Memory"/> is that prefix.</summary>
    public int End { get; private set; }

    /// <summary>The whole block.</summary>
    Memory<byte> IMemoryOwner<byte>.Memory => _array;

    /// <summary>The unwritten rest of the block.</summary>
    public Memory<byte> Writable => _array.AsMemory(End);

    /// <summary>The unwritten rest of the block, as a span (cheaper than <see cref="Writable"/>.Span: no Memory to unwrap).</summary>
    public Span<byte> WritableSpan => _array.AsSpan(End);

    public int WritableBytes => _array.Length - End;

    public PipeBlock? NextBlock => (PipeBlock?)Next;

    /// <summary>Starts the block empty at <paramref name="runningIndex"/> of its sequence.</summary>
    public void Reset(long runningIndex)
    {
        End = 0;
        Memory = ReadOnlyMemory<byte>.Empty;
        Next = null;
        RunningIndex = runningIndex;
    }

    /// <summary>Marks <paramref name="count"/> more bytes as written.</summary>
    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)WritableBytes, nameof(count));
        End += count;
        Memory = _array.AsMemory(0, End);
    }

    /// <summary>Appends an empty block after this one (the sequence continues in it).</summary>
    public void Link(PipeBlock next)
    {
        next.Reset(RunningIndex + End);
        Next = next;
    }

    public void Dispose()
    {
        if (!Rented)
        {
            throw new InvalidOperationException("A pipe block was returned twice.");
        }
        Rented = false;
        Next = null;
        _pool.Return(this);
    }
}
