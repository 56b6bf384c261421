using System.Buffers;
using System.Threading.Channels;

namespace FastGate.Core.Observability;

/// <summary>
/// Writes access-log lines on a background task so the request path never waits for the disk or the console:
/// a line is copied into a pooled buffer and queued (bounded; when the writer falls behind, lines are dropped
/// and counted rather than slowing requests). <see cref="Reopen"/> reopens the file (log rotation, SIGUSR1).
/// Thread-safe.
/// </summary>
internal sealed class AccessLogWriter : IAsyncDisposable
{
    private readonly Channel<(byte[] Buffer, int Length)> _queue =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(65_536) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly string? _path;
    private readonly Task _writer;
    private Stream _stream;
    private volatile bool _reopen;
    private long _dropped;
    private long _written;

    /// <param name="path">A file to append to, or null for standard output.</param>
    public AccessLogWriter(string? path)
    {
        _path = path;
        _stream = Open();
        _writer = Task.Run(WriteLoopAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Queues one line (the newline is added here).</summary>
    public void Write(ReadOnlySpan<byte> line)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(line.Length + 1);
        line.CopyTo(buffer);
        buffer[line.Length] = (byte)'\n';
        if (!_queue.Writer.TryWrite((buffer, line.Length + 1)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Close and reopen the file at its path (after logrotate moved it away).</summary>
    public void Reopen() => _reopen = true;

    private Stream Open() => _path is null
        ? Console.OpenStandardOutput()
        : new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_reopen && _path is not null)
            {
                _reopen = false;
                await _stream.DisposeAsync().ConfigureAwait(false);
                _stream = Open();
            }
            while (reader.TryRead(out var item))
            {
                try
                {
                    await _stream.WriteAsync(item.Buffer.AsMemory(0, item.Length)).ConfigureAwait(false);
                    Interlocked.Increment(ref _written);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref _dropped);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(item.Buffer);
                }
            }
            try
            {
                await _stream.FlushAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // the next batch tries again
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_path is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
