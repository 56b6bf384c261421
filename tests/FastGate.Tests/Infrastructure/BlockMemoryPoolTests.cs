using FastGate.Core.Infrastructure;

namespace FastGate.Tests.Infrastructure;

public sealed class BlockMemoryPoolTests
{
    [Fact]
    public void ReturnedBlock_IsReused_NotAllocatedAgain()
    {
        using var pool = new BlockMemoryPool();
        var first = pool.Rent(BlockMemoryPool.BlockSize);
        var memory = first.Memory;
        first.Dispose();

        using var second = pool.Rent(4096);

        Assert.True(second.Memory.Span == memory.Span, "the returned block should come back");
        Assert.Equal(BlockMemoryPool.BlockSize, second.Memory.Length);
        Assert.Equal(1, pool.CreatedBlocks);
        Assert.Equal(1, pool.RentedBlocks);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void WithThreadCaches_TheLastBlockReturnedOnAThreadIsTheNextRented()
    {
        using var pool = new BlockMemoryPool(threadCaches: true);
        var first = pool.RentBlock();
        var second = pool.RentBlock();
        first.Dispose();
        second.Dispose(); // the most recently used: still in this core's cache

        var next = pool.RentBlock();
        var after = pool.RentBlock();

        Assert.Same(second, next);
        Assert.Same(first, after);
        Assert.Equal(2, pool.CreatedBlocks);
        Assert.Equal(2, pool.RentedBlocks);
        Assert.Equal(0, pool.FreeBlocks);
        next.Dispose();
        after.Dispose();
    }

    [Fact]
    public void WithThreadCaches_ABurstBeyondTheCacheGoesToTheSharedQueue_AndIsReusedFromAnyThread()
    {
        using var pool = new BlockMemoryPool(threadCaches: true);
        var burst = Enumerable.Range(0, 100).Select(_ => pool.RentBlock()).ToList();
        burst.ForEach(b => b.Dispose());
        Assert.Equal(100, pool.FreeBlocks);

        // Another thread has no cached blocks of its own: it takes the shared queue's, creating none.
        List<PipeBlock> elsewhere = [];
        var thread = new Thread(() => elsewhere = Enumerable.Range(0, 100 - BlockMemoryPool.ThreadCacheBlocks).Select(_ => pool.RentBlock()).ToList());
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(100, pool.CreatedBlocks);
        Assert.Equal(BlockMemoryPool.ThreadCacheBlocks, pool.FreeBlocks);
        Assert.Empty(elsewhere.Intersect(burst.Take(BlockMemoryPool.ThreadCacheBlocks))); // the first returned filled this thread's cache
        elsewhere.ForEach(b => b.Dispose());
    }

    [Fact]
    public void ManyBlocksInUse_AreAllKeptForTheNextBurst()
    {
        using var pool = new BlockMemoryPool();
        var burst = Enumerable.Range(0, 200).Select(_ => pool.Rent()).ToList();
        burst.ForEach(b => b.Dispose());

        var again = Enumerable.Range(0, 200).Select(_ => pool.Rent()).ToList();

        Assert.Equal(200, pool.CreatedBlocks); // ArrayPool.Shared would have allocated past its 32 per core
        again.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Trim_ReleasesHalfOfWhatStayedFree_AndKeepsTheWorkingSet()
    {
        using var pool = new BlockMemoryPool();
        var burst = Enumerable.Range(0, 100).Select(_ => pool.Rent()).ToList();
        burst.ForEach(b => b.Dispose());
        pool.Trim(); // starts the first interval: everything created in it was needed

        // A steady load of 10 blocks: 90 stay free through the interval.
        for (var round = 0; round < 5; round++)
        {
            var steady = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
            steady.ForEach(b => b.Dispose());
        }
        Assert.Equal(45, pool.Trim());
        Assert.Equal(55, pool.FreeBlocks);

        // Nothing rented for a whole interval: half of it goes each time, never below what is in use.
        Assert.Equal(27, pool.Trim());
        Assert.Equal(28, pool.FreeBlocks);
    }

    [Fact]
    public void BlockReturnedTwice_Throws()
    {
        using var pool = new BlockMemoryPool();
        var block = pool.Rent();
        block.Dispose();

        Assert.Throws<InvalidOperationException>(block.Dispose);
        Assert.Equal(1, pool.FreeBlocks);
    }

    [Fact]
    public void RequestLargerThanABlock_IsRefused()
    {
        using var pool = new BlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BlockMemoryPool.BlockSize + 1));
        Assert.Equal(0, pool.RentedBlocks);
    }
}
