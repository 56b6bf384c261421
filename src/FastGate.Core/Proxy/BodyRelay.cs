using System.Buffers;
using System.Runtime.CompilerServices;
using System.IO.Pipelines;
using FastGate.Core.Http;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Proxy;

/// <summary>
/// Streams a body between pipes by its framing, never buffering it whole: each read buffer is copied once into the
/// destination pipe and flushed, so back-pressure from a slow reader reaches the sender. Every read of the source
/// must make progress within <c>idleTimeout</c> (nginx's client_body_timeout / proxy_read_timeout semantics).
/// </summary>
internal static class BodyRelay
{
    /// <summary>
    /// Not an async method itself: a body that came with the head, written to a destination that takes it at once (a
    /// small response, the usual case), is relayed without a state machine; the rest continues in the loop below.
    /// </summary>
    public static ValueTask<RelayOutcome> CopyLengthAsync(PipeReader source, PipeWriter destination, long length,
        IReadDeadline? deadline, TimeSpan idleTimeout, ByteCounter? counter = null)
    {
        if (length <= 0 || !source.TryRead(out var result)) // bytes that came with the head need no deadline
        {
            return CopyLengthLoopAsync(source, destination, length, deadline, idleTimeout, counter, previousFlush: default);
        }
        var outcome = TakeLength(source, destination, result, ref length, counter);
        if (outcome != RelayOutcome.Completed)
        {
            return new ValueTask<RelayOutcome>(outcome);
        }
        var flush = FlushAsync(destination);
        if (!flush.IsCompletedSuccessfully)
        {
            return CopyLengthLoopAsync(source, destination, length, deadline, idleTimeout, counter, flush);
        }
        return !flush.Result ? new ValueTask<RelayOutcome>(RelayOutcome.DestinationFailed)
            : length == 0 ? new ValueTask<RelayOutcome>(RelayOutcome.Completed)
            : CopyLengthLoopAsync(source, destination, length, deadline, idleTimeout, counter, previousFlush: default);
    }

    /// <param name="previousFlush">A flush still running from the first pass (default: none).</param>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<RelayOutcome> CopyLengthLoopAsync(PipeReader source, PipeWriter destination, long length,
        IReadDeadline? deadline, TimeSpan idleTimeout, ByteCounter? counter, ValueTask<bool> previousFlush)
    {
        if (previousFlush != default && !await previousFlush.ConfigureAwait(false))
        {
            return RelayOutcome.DestinationFailed;
        }
        while (length > 0)
        {
            ReadResult result;
            try
            {
                if (!source.TryRead(out result)) // bytes that came with the head need no deadline
                {
                    deadline?.Arm(source, idleTimeout);
                    result = await source.ReadAsync().ConfigureAwait(false);
                    deadline?.Disarm();
                }
            }
            catch (Exception e) when (IsTransportError(e))
            {
                deadline?.Disarm();
                return RelayOutcome.SourceFailed;
            }
            var outcome = TakeLength(source, destination, result, ref length, counter);
            if (outcome != RelayOutcome.Completed)
            {
                return outcome;
            }
            if (!await FlushAsync(destination).ConfigureAwait(false))
            {
                return RelayOutcome.DestinationFailed;
            }
        }
        return RelayOutcome.Completed;
    }

    /// <summary>Writes up to <paramref name="length"/> bytes of one read to the destination (unflushed); Completed means "go on".</summary>
    private static RelayOutcome TakeLength(PipeReader source, PipeWriter destination, in ReadResult result, ref long length, ByteCounter? counter)
    {
        if (result.IsCanceled)
        {
            return RelayOutcome.TimedOut;
        }
        var buffer = result.Buffer;
        if (buffer.IsEmpty && result.IsCompleted)
        {
            source.AdvanceTo(buffer.End);
            return RelayOutcome.SourceTruncated;
        }
        var take = Math.Min(length, buffer.Length);
        var slice = buffer.Slice(0, take);
        Write(destination, slice);
        if (counter is not null)
        {
            counter.Bytes += take;
        }
        source.AdvanceTo(slice.End);
        length -= take;
        return RelayOutcome.Completed;
    }

    /// <summary>
    /// Copies a chunked body verbatim, or only its data when <paramref name="dechunk"/> (for an HTTP/1.0 client);
    /// stops with <see cref="RelayOutcome.TooLarge"/> once the data passes <paramref name="maxDataBytes"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public static async ValueTask<RelayOutcome> CopyChunkedAsync(PipeReader source, PipeWriter destination, bool dechunk,
        long maxDataBytes, IReadDeadline? deadline, TimeSpan idleTimeout, ByteCounter? counter = null)
    {
        var parser = new ChunkedBodyParser();
        long data = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                if (!source.TryRead(out result)) // bytes that came with the head need no deadline
                {
                    deadline?.Arm(source, idleTimeout);
                    result = await source.ReadAsync().ConfigureAwait(false);
                    deadline?.Disarm();
                }
            }
            catch (Exception e) when (IsTransportError(e))
            {
                deadline?.Disarm();
                return RelayOutcome.SourceFailed;
            }
            if (result.IsCanceled)
            {
                return RelayOutcome.TimedOut;
            }
            var buffer = result.Buffer;
            long consumed = 0;
            var ended = false;
            while (!ended)
            {
                var rest = buffer.Slice(consumed);
                var piece = parser.Next(rest, out var length);
                switch (piece)
                {
                    case ChunkedPiece.NeedMoreData:
                        goto ReadMore;
                    case ChunkedPiece.Invalid:
                        source.AdvanceTo(buffer.GetPosition(consumed));
                        return RelayOutcome.InvalidFraming;
                    case ChunkedPiece.Data:
                        data += length;
                        if (data > maxDataBytes)
                        {
                            source.AdvanceTo(buffer.GetPosition(consumed));
                            return RelayOutcome.TooLarge;
                        }
                        Write(destination, rest.Slice(0, length));
                        break;
                    case ChunkedPiece.Framing:
                        if (!dechunk)
                        {
                            Write(destination, rest.Slice(0, length));
                        }
                        break;
                    case ChunkedPiece.End:
                        if (!dechunk)
                        {
                            Write(destination, rest.Slice(0, length));
                        }
                        ended = true;
                        break;
                }
                consumed += length;
            }

            if (counter is not null)
            {
                counter.Bytes += consumed;
            }
            source.AdvanceTo(buffer.GetPosition(consumed));
            return await FlushAsync(destination).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.DestinationFailed;

        ReadMore:
            if (counter is not null)
            {
                counter.Bytes += consumed;
            }
            source.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
            if (result.IsCompleted)
            {
                return RelayOutcome.SourceTruncated;
            }
            if (consumed > 0 && !await FlushAsync(destination).ConfigureAwait(false))
            {
                return RelayOutcome.DestinationFailed;
            }
        }
    }

    /// <summary>Copies until the source closes: a response body delimited by the end of the connection.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public static async ValueTask<RelayOutcome> CopyToEndAsync(PipeReader source, PipeWriter destination,
        IReadDeadline? deadline, TimeSpan idleTimeout, ByteCounter? counter = null)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                if (!source.TryRead(out result)) // bytes that came with the head need no deadline
                {
                    deadline?.Arm(source, idleTimeout);
                    result = await source.ReadAsync().ConfigureAwait(false);
                    deadline?.Disarm();
                }
            }
            catch (Exception e) when (IsTransportError(e))
            {
                deadline?.Disarm();
                return RelayOutcome.SourceFailed;
            }
            if (result.IsCanceled)
            {
                return RelayOutcome.TimedOut;
            }
            var buffer = result.Buffer;
            Write(destination, buffer);
            if (counter is not null)
            {
                counter.Bytes += buffer.Length;
            }
            source.AdvanceTo(buffer.End);
            if (!await FlushAsync(destination).ConfigureAwait(false))
            {
                return RelayOutcome.DestinationFailed;
            }
            if (result.IsCompleted)
            {
                return RelayOutcome.Completed;
            }
        }
    }

    public static void Write(PipeWriter destination, in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            destination.Write(data.FirstSpan);
            return;
        }
        foreach (var segment in data)
        {
            destination.Write(segment.Span);
        }
    }

    /// <summary>
    /// False when the destination is gone. Not an async method: a flush that completes at once (the usual case, the
    /// socket taking the bytes) costs no state machine.
    /// </summary>
    public static ValueTask<bool> FlushAsync(PipeWriter destination)
    {
        ValueTask<FlushResult> flush;
        try
        {
            flush = destination.FlushAsync();
            if (flush.IsCompletedSuccessfully)
            {
                var result = flush.Result;
                return new ValueTask<bool>(!result.IsCompleted && !result.IsCanceled);
            }
        }
        catch (Exception e) when (IsTransportError(e))
        {
            return new ValueTask<bool>(false);
        }
        return AwaitFlushAsync(flush);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> AwaitFlushAsync(ValueTask<FlushResult> pending)
    {
        try
        {
            var flush = await pending.ConfigureAwait(false);
            return !flush.IsCompleted && !flush.IsCanceled;
        }
        catch (Exception e) when (IsTransportError(e))
        {
            return false;
        }
    }

    public static bool IsTransportError(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException;
}
