using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using FastGate.Core.Infrastructure;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Infrastructure;

/// <summary>
/// FastGate's own stream pipes over real loopback sockets: bytes arrive whole and in order across blocks, a cancelled
/// read loses nothing, and an idle or finished pipe holds no block (each pipe gets a private pool to count them).
/// </summary>
public sealed class SlimStreamPipeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BlockMemoryPool _pool = new();
    private Socket _sender = null!;
    private Socket _receiver = null!;
    private NetworkStream _senderStream = null!;
    private NetworkStream _receiverStream = null!;

    public async Task InitializeAsync()
    {
        (_sender, _receiver) = await Loopback.ConnectedPairAsync();
        _senderStream = new NetworkStream(_sender, ownsSocket: false);
        _receiverStream = new NetworkStream(_receiver, ownsSocket: false);
    }

    public Task DisposeAsync()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _pool.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Read_ManyBlocksInSmallWrites_ArriveWholeAndInOrder_AndNoBlockIsKept()
    {
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: true);
        var payload = RandomNumberGenerator.GetBytes(100_000);
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += 7_001)
            {
                await _senderStream.WriteAsync(payload.AsMemory(offset, Math.Min(7_001, payload.Length - offset)));
            }
        });

        // Consume nothing until everything is there: the reader must grow the sequence over several blocks.
        var result = await ReadAtLeastAsync(reader, payload.Length);
        await sending.WaitAsync(Timeout);

        Assert.False(result.Buffer.IsSingleSegment);
        Assert.Equal(payload, result.Buffer.ToArray());
        Assert.True(_pool.RentedBlocks >= 7, $"{_pool.RentedBlocks} blocks for 100,000 bytes");
        reader.AdvanceTo(result.Buffer.End);
        Assert.Equal(0, _pool.RentedBlocks);
        reader.Complete();
    }

    [Fact]
    public async Task Read_PartlyConsumed_KeepsTheRest_AndWaitsForNewBytesOnlyWhenAllWereExamined()
    {
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: true);
        await _senderStream.WriteAsync("GET / HTTP/1.1\r\n"u8.ToArray());
        var first = await ReadAtLeastAsync(reader, 16);

        reader.AdvanceTo(first.Buffer.GetPosition(4), first.Buffer.End); // consumed "GET ", examined everything
        var waiting = reader.ReadAsync();
        Assert.False(waiting.IsCompleted, "examined bytes must not be returned again before new ones arrive");
        await _senderStream.WriteAsync("\r\n"u8.ToArray());
        var second = await waiting.AsTask().WaitAsync(Timeout);

        Assert.Equal("/ HTTP/1.1\r\n\r\n"u8.ToArray(), second.Buffer.ToArray());
        reader.AdvanceTo(second.Buffer.GetPosition(2), second.Buffer.GetPosition(2)); // consumed and examined "/ "
        Assert.True(reader.TryRead(out var third), "unexamined bytes are returned at once");
        Assert.Equal("HTTP/1.1\r\n\r\n"u8.ToArray(), third.Buffer.ToArray());
        reader.AdvanceTo(third.Buffer.End);
        Assert.False(reader.TryRead(out _));
        reader.Complete();
        Assert.Equal(0, _pool.RentedBlocks);
    }

    [Fact]
    public async Task CancelPendingRead_EndsTheWaitAtOnce_AndBytesSentAfterwardsAreNotLost()
    {
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: true);
        var waiting = reader.ReadAsync();
        Assert.False(waiting.IsCompleted);

        reader.CancelPendingRead();
        var cancelled = await waiting.AsTask().WaitAsync(Timeout);
        Assert.True(cancelled.IsCanceled);
        Assert.True(cancelled.Buffer.IsEmpty);
        reader.AdvanceTo(cancelled.Buffer.End);
        Assert.Equal(0, _pool.RentedBlocks); // the stream read still running is the zero-byte wait: no block

        await _senderStream.WriteAsync("after the cancellation"u8.ToArray());
        var next = await ReadAtLeastAsync(reader, 22);
        Assert.False(next.IsCanceled);
        Assert.Equal("after the cancellation"u8.ToArray(), next.Buffer.ToArray());
        reader.AdvanceTo(next.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_FromAnotherThreadWhileBytesArrive_NeverLosesOrReordersAByte()
    {
        // The heartbeat cancels reads from its own thread while the socket delivers bytes on another: whichever wins,
        // every byte must come out once and in order, and no block may leak. TryRead and AdvanceTo take no lock while
        // no stream read runs, so the loop mixes TryRead in, as the connection handler does.
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: true);
        var payload = RandomNumberGenerator.GetBytes(300_000);
        using var stop = new CancellationTokenSource(3 * Timeout); // the canceller stops by itself if an assertion ends the test early
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += 1_000)
            {
                await _senderStream.WriteAsync(payload.AsMemory(offset, 1_000));
                if (offset % 20_000 == 0)
                {
                    await Task.Yield();
                }
            }
        });
        var cancelling = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                reader.CancelPendingRead();
                Thread.SpinWait(2_000);
            }
        });

        var received = new List<byte>(payload.Length);
        var cancelled = 0;
        var deadline = DateTime.UtcNow + Timeout; // cancelled reads return at once: the whole loop needs a deadline
        while (received.Count < payload.Length && DateTime.UtcNow < deadline)
        {
            if (!(received.Count % 2 == 0 && reader.TryRead(out var result)))
            {
                result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            }
            cancelled += result.IsCanceled ? 1 : 0;
            foreach (var segment in result.Buffer)
            {
                received.AddRange(segment.Span);
            }
            reader.AdvanceTo(result.Buffer.End);
        }
        stop.Cancel();
        await Task.WhenAll(sending, cancelling).WaitAsync(Timeout);

        Assert.True(received.Count == payload.Length, $"{received.Count} of {payload.Length} bytes arrived");
        Assert.True(cancelled > 0, "no read was cancelled: the race was not exercised");
        Assert.Equal(payload, received.ToArray());
        reader.Complete();
        Assert.True(await Eventually.TrueAsync(() => _pool.RentedBlocks == 0), $"{_pool.RentedBlocks} blocks still rented");
    }

    [Fact]
    public void CancelPendingRead_WithNoReadWaiting_CancelsTheNextReadOnly()
    {
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: false);
        reader.CancelPendingRead();

        Assert.True(reader.TryRead(out var cancelled));
        Assert.True(cancelled.IsCanceled);
        reader.AdvanceTo(cancelled.Buffer.End);
        Assert.False(reader.TryRead(out _));
        reader.Complete();
    }

    [Fact]
    public async Task Read_AfterThePeerCloses_IsCompleted_AndAnIdleReaderHoldsNoBlock()
    {
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: true);
        var waiting = reader.ReadAsync();
        await Task.Yield();
        Assert.Equal(0, _pool.RentedBlocks); // waiting for the first byte costs no block

        await _senderStream.WriteAsync("last"u8.ToArray());
        _sender.Shutdown(SocketShutdown.Send);
        var result = await waiting.AsTask().WaitAsync(Timeout);
        if (!result.IsCompleted)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await ReadAtLeastAsync(reader, int.MaxValue); // until the end
        }
        Assert.True(result.IsCompleted);
        Assert.Equal("last"u8.ToArray(), result.Buffer.ToArray());
        reader.AdvanceTo(result.Buffer.End);
        Assert.Equal(0, _pool.RentedBlocks);
        reader.Complete();
    }

    [Fact]
    public async Task Complete_WhileAStreamReadIsRunning_ReturnsItsBlockWhenTheReadEnds()
    {
        var reader = new SlimStreamPipeReader(_receiverStream, _pool, minimumReadSize: 4096, zeroByteReads: false);
        var waiting = reader.ReadAsync(); // no zero-byte wait: the stream read holds a block now
        Assert.Equal(1, _pool.RentedBlocks);
        reader.CancelPendingRead();
        Assert.True((await waiting.AsTask().WaitAsync(Timeout)).IsCanceled);

        reader.Complete();
        Assert.Equal(1, _pool.RentedBlocks); // the socket may still write into it
        _receiver.Dispose(); // what ending a connection does: the stream read fails
        Assert.True(await Eventually.TrueAsync(() => _pool.RentedBlocks == 0), $"{_pool.RentedBlocks} blocks still rented");
    }

    [Fact]
    public async Task Write_MoreThanABlock_ArrivesWhole_AndAFlushedWriterHoldsNoBlock()
    {
        var writer = new SlimStreamPipeWriter(_senderStream, _pool);
        var payload = RandomNumberGenerator.GetBytes(40_000);
        writer.Write(payload.AsSpan(0, 100));
        writer.Write(payload.AsSpan(100));
        Assert.Equal(40_000, writer.UnflushedBytes);
        Assert.Equal(3, _pool.RentedBlocks);

        var flush = await writer.FlushAsync().AsTask().WaitAsync(Timeout);

        Assert.False(flush.IsCanceled || flush.IsCompleted);
        Assert.Equal(0, _pool.RentedBlocks);
        Assert.Equal(payload, await ReceiveAsync(payload.Length));
        writer.Complete();
    }

    [Fact]
    public async Task Flush_WhenTheSocketIsFull_CompletesOnceThePeerReads_InOrder()
    {
        var writer = new SlimStreamPipeWriter(_senderStream, _pool);
        _sender.SendBufferSize = 16 * 1024; // fills quickly while the peer does not read
        var payload = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var firstPendingFlush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = Task.Run(async () =>
        {
            var pendingFlushes = 0;
            for (var offset = 0; offset < payload.Length; offset += 48 * 1024)
            {
                writer.Write(payload.AsSpan(offset, Math.Min(48 * 1024, payload.Length - offset)));
                var flush = writer.FlushAsync();
                if (!flush.IsCompleted)
                {
                    pendingFlushes++;
                    firstPendingFlush.TrySetResult();
                }
                await flush;
            }
            return pendingFlushes;
        });

        // Read only once a flush waits for the socket, so the pending path runs whatever the machine's speed.
        await firstPendingFlush.Task.WaitAsync(Timeout);
        Assert.Equal(payload, await ReceiveAsync(payload.Length));
        Assert.True(await flushes.WaitAsync(Timeout) > 0);
        Assert.Equal(0, _pool.RentedBlocks);
        writer.Complete();
    }

    private static async Task<ReadResult> ReadAtLeastAsync(PipeReader reader, int length)
    {
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            if (result.Buffer.Length >= length || result.IsCompleted || result.IsCanceled)
            {
                return result;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private async Task<byte[]> ReceiveAsync(int length)
    {
        var received = new byte[length];
        await _receiverStream.ReadExactlyAsync(received).AsTask().WaitAsync(Timeout);
        return received;
    }
}
