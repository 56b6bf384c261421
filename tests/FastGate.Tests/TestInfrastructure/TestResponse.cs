using System.Text;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>What the test upstream answers: raw bytes, and whether to close the connection afterwards.</summary>
public sealed record TestResponse(byte[] Bytes, bool Close = false)
{
    public static TestResponse Text(string body, int status = 200, string? extraHeaders = null) =>
        new(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}"));

    public static TestResponse Raw(string raw, bool close = false) => new(Encoding.ASCII.GetBytes(raw), close);
}
