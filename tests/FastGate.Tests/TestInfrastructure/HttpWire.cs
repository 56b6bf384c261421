using System.Text;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>
/// A deliberately simple, independent HTTP/1.1 reader for test peers (not FastGate's parser, so tests do not grade
/// the gateway with its own code).
/// </summary>
public static class HttpWire
{
    /// <summary>Reads up to and including CRLFCRLF; null on a clean EOF before any byte.</summary>
    public static async Task<string?> ReadHeadAsync(BufferedReader reader, CancellationToken ct)
    {
        var head = new StringBuilder();
        while (true)
        {
            var b = await reader.ReadByteAsync(ct);
            if (b < 0)
            {
                return head.Length == 0 ? null : throw new EndOfStreamException("EOF inside a head: " + head);
            }
            head.Append((char)b);
            if (head.Length >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return head.ToString();
            }
        }
    }

    public static string? HeaderValue(string head, string name)
    {
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }

    /// <summary>Reads a body per its head: Content-Length, chunked (returns raw and decoded) or none.</summary>
    public static async Task<(byte[] Raw, byte[] Decoded)> ReadBodyAsync(BufferedReader reader, string head, bool untilClose, CancellationToken ct)
    {
        var te = HeaderValue(head, "Transfer-Encoding");
        if (te is not null && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var raw = new MemoryStream();
            var decoded = new MemoryStream();
            while (true)
            {
                var sizeLine = await reader.ReadLineAsync(ct);
                raw.Write(Encoding.ASCII.GetBytes(sizeLine + "\r\n"));
                var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    while (true)
                    {
                        var trailer = await reader.ReadLineAsync(ct);
                        raw.Write(Encoding.ASCII.GetBytes(trailer + "\r\n"));
                        if (trailer.Length == 0)
                        {
                            return (raw.ToArray(), decoded.ToArray());
                        }
                    }
                }
                var data = await reader.ReadExactlyAsync(size, ct);
                raw.Write(data);
                decoded.Write(data);
                var crlf = await reader.ReadLineAsync(ct);
                Assert.Equal("", crlf);
                raw.Write("\r\n"u8);
            }
        }
        var length = HeaderValue(head, "Content-Length");
        if (length is not null)
        {
            var body = await reader.ReadExactlyAsync(int.Parse(length), ct);
            return (body, body);
        }
        if (untilClose)
        {
            var all = await reader.ReadToEndAsync(ct);
            return (all, all);
        }
        return ([], []);
    }
}
