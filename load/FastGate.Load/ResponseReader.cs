using System.Buffers.Text;

namespace FastGate.Load;

/// <summary>
/// Reads one HTTP/1.1 response from a stream into a reusable buffer: just enough parsing to find its end
/// (Content-Length, chunked, or none for 204/304), so the generator spends its CPU on sending, not parsing.
/// </summary>
internal sealed class ResponseReader(Stream stream)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The last response said "Connection: close": the caller must open a new connection (not an error).</summary>
    public bool ServerClosing { get; private set; }

    /// <summary>The status code, or 0 when the connection closed before a whole response.</summary>
    public async ValueTask<int> ReadAsync(bool headRequest, CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }
        var head = _buffer.AsSpan(_start, headEnd + 4);
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("not an HTTP/1.1 status line");
        }
        var contentLength = HeaderNumber(head, "\r\ncontent-length:"u8);
        var chunked = Contains(head, "\r\ntransfer-encoding: chunked"u8);
        ServerClosing = Contains(head, "\r\nconnection: close"u8);
        _start += headEnd + 4;
        if (headRequest || status is 204 or 304 || status < 200)
        {
            return status;
        }
        if (chunked)
        {
            return await SkipChunkedAsync(cancellationToken).ConfigureAwait(false) ? status : 0;
        }
        var remaining = contentLength < 0 ? 0 : contentLength;
        while (remaining > 0)
        {
            if (_end == _start && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
            var take = (int)Math.Min(remaining, _end - _start);
            _start += take;
            remaining -= take;
        }
        return status;
    }

    private async ValueTask<bool> SkipChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
            var line = _buffer.AsSpan(_start, lineEnd);
            var semicolon = line.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(semicolon < 0 ? line : line[..semicolon], out long size, out _, 'X'))
            {
                throw new InvalidDataException("bad chunk size");
            }
            _start += lineEnd + 2;
            var remaining = size + 2; // data + CRLF; the last chunk is followed by an (assumed empty) trailer CRLF
            while (remaining > 0)
            {
                if (_end == _start && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
                var take = (int)Math.Min(remaining, _end - _start);
                _start += take;
                remaining -= take;
            }
            if (size == 0)
            {
                return true;
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    private static long HeaderNumber(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lowerName)
    {
        var at = IndexOfIgnoreCase(head, lowerName);
        if (at < 0)
        {
            return -1;
        }
        var value = head[(at + lowerName.Length)..];
        value = value[..value.IndexOf((byte)'\r')].Trim((byte)' ');
        return Utf8Parser.TryParse(value, out long number, out _) ? number : -1;
    }

    private static bool Contains(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lowerText) => IndexOfIgnoreCase(head, lowerText) >= 0;

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lower)
    {
        for (var i = 0; i + lower.Length <= text.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(text.Slice(i, lower.Length), lower))
            {
                return i;
            }
        }
        return -1;
    }
}
