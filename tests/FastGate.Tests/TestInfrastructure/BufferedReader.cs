namespace FastGate.Tests.TestInfrastructure;

/// <summary>Byte-at-a-time reading over a stream with a small buffer, for the test peers' simple parser.</summary>
public sealed class BufferedReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public bool HasBuffered => _start < _end;

    public async ValueTask<int> ReadByteAsync(CancellationToken ct)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            if (_end == 0)
            {
                return -1;
            }
        }
        return _buffer[_start++];
    }

    public async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var line = new System.Text.StringBuilder();
        while (true)
        {
            var b = await ReadByteAsync(ct);
            if (b < 0)
            {
                throw new EndOfStreamException("EOF inside a line: " + line);
            }
            if (b == '\n' && line.Length > 0 && line[^1] == '\r')
            {
                return line.ToString(0, line.Length - 1);
            }
            line.Append((char)b);
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var b = await ReadByteAsync(ct);
            if (b < 0)
            {
                throw new EndOfStreamException($"EOF after {i} of {count} body bytes");
            }
            result[i] = (byte)b;
        }
        return result;
    }

    public async Task<byte[]> ReadToEndAsync(CancellationToken ct)
    {
        var all = new MemoryStream();
        while (true)
        {
            var b = await ReadByteAsync(ct);
            if (b < 0)
            {
                return all.ToArray();
            }
            all.WriteByte((byte)b);
        }
    }
}
