using System.Buffers;
using System.Collections.Concurrent;

namespace FastGate.Core.Infrastructure;

/// <summary>
/// The memory of every connection pipe: fixed 16 KiB blocks on the pinned heap, reused without limit while they are
/// in use and trimmed while they are not. ArrayPool.Shared keeps 32 arrays per size per core; under 64+ busy
/// connections it ran dry and every miss allocated a fresh 16 KiB array (measured: 19 KB of garbage per proxied
/// request and a gen0 collection every 100 ms). Kestrel pools its pipe memory for the same reason.
/// </summary>
/// <remarks>
/// Trimming follows the low-water mark: blocks that stayed free for a whole interval were not needed in it, and half
/// of them are released, so a burst's memory drains within a minute while a steady load keeps its working set.
/// Idle connections hold no block at all (zero-byte reads), so memory per idle connection is unaffected.
/// With <c>threadCaches</c> (the process-wide pool) each thread keeps up to <see cref="ThreadCacheBlocks"/> returned
/// blocks and rents the last one it returned: the block a request just finished with is still in the core's cache,
/// where the shared queue (first in, first out) handed out the coldest of all free blocks. With inline socket
/// completions nearly every rent and return runs on the epoll thread. Cached blocks count as free but are not
/// trimmed (at most 256 KiB per thread).
/// </remarks>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 16 * 1024;

    public const int ThreadCacheBlocks = 16;

    private static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    [ThreadStatic]
    private static ThreadCache? t_cache;

    private readonly ConcurrentQueue<PipeBlock> _free = new();
    private readonly bool _threadCaches;
    private readonly Timer? _trimTimer;
    private int _freeCount;
    private int _lowWater;
    private int _rented;
    private long _created;

    /// <summary>The pool of all client and upstream pipes in the process.</summary>
    public static BlockMemoryPool Connections { get; } = new(trimPeriodically: true, threadCaches: true);

    public BlockMemoryPool(bool trimPeriodically = false, bool threadCaches = false)
    {
        _threadCaches = threadCaches;
        if (trimPeriodically)
        {
            _trimTimer = new Timer(static state => ((BlockMemoryPool)state!).Trim(), this, TrimInterval, TrimInterval);
        }
    }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting in the pool.</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    /// <summary>Blocks held by pipes now.</summary>
    public int RentedBlocks => Volatile.Read(ref _rented);

    /// <summary>Blocks ever allocated (a steady load stops moving this).</summary>
    public long CreatedBlocks => Interlocked.Read(ref _created);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return RentBlock();
    }

    /// <summary>A block, empty, starting a sequence at index 0.</summary>
    public PipeBlock RentBlock()
    {
        Interlocked.Increment(ref _rented);
        if (_threadCaches && t_cache is { } cache && cache.Owner == this && cache.Blocks.TryPop(out var cached))
        {
            return Reuse(cached);
        }
        return _free.TryDequeue(out var block) ? Reuse(block) : Create();
    }

    private PipeBlock Reuse(PipeBlock block)
    {
        var free = Interlocked.Decrement(ref _freeCount);
        if (free < _lowWater)
        {
            _lowWater = free; // racy by design: an approximate mark is enough to decide what to release
        }
        block.Rented = true;
        block.Reset(0);
        return block;
    }

    private PipeBlock Create()
    {
        _lowWater = 0;
        Interlocked.Increment(ref _created);
        return new PipeBlock(this);
    }

    /// <summary>Releases half of the blocks that were not needed since the last trim. Returns how many.</summary>
    public int Trim()
    {
        var release = Math.Min(_lowWater, Volatile.Read(ref _freeCount)) / 2;
        var released = 0;
        while (released < release && _free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
            released++;
        }
        _lowWater = Volatile.Read(ref _freeCount);
        return released;
    }

    internal void Return(PipeBlock block)
    {
        Interlocked.Decrement(ref _rented);
        Interlocked.Increment(ref _freeCount);
        if (_threadCaches)
        {
            var cache = t_cache ??= new ThreadCache(this);
            if (cache.Owner != this)
            {
                cache.MoveTo(this); // another pool's blocks go back to that pool's queue
            }
            if (cache.Blocks.TryPush(block))
            {
                return;
            }
        }
        _free.Enqueue(block);
    }

    /// <summary>One thread's most recently returned blocks, last in, first out, and the pool they belong to.</summary>
    private sealed class ThreadCache(BlockMemoryPool owner)
    {
        public BoundedStack<PipeBlock> Blocks { get; } = new(ThreadCacheBlocks);

        public BlockMemoryPool Owner { get; private set; } = owner;

        /// <summary>This thread caches for <paramref name="pool"/> from now on (one pool per thread in the gateway).</summary>
        public void MoveTo(BlockMemoryPool pool)
        {
            while (Blocks.TryPop(out var block))
            {
                Owner._free.Enqueue(block);
            }
            Owner = pool;
        }
    }

    protected override void Dispose(bool disposing)
    {
        _trimTimer?.Dispose();
    }
}
