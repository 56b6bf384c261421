using System.Text;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>What the test upstream answers: raw bytes, and whether to close the connection afterwards.</summary>
public sealed record TestResponse(byte[] Bytes, bool Close = false)
{
    public static TestResponse Text(string body, int status = 200, string? extraHeaders = null) =>
        new(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}"));

    public static TestResponse Raw(string raw, bool close = false) => new(Encoding.ASCII.GetBytes(raw), close);

    /// <summary>
    /// Bytes written after <see cref="Bytes"/> only once the gate completes (within 10 s, else the connection closes):
    /// a final response that does not exist until the client has seen the interim one.
    /// </summary>
    public (Task Gate, byte[] Bytes)? Then { get; init; }
}
