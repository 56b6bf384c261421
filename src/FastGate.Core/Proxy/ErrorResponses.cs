using System.Text;

namespace FastGate.Core.Proxy;

/// <summary>
/// The responses FastGate writes itself, built once as bytes. Upstream failures use Envoy's wording, which Flex
/// Gateway users know from their logs and clients.
/// </summary>
internal static class ErrorResponses
{
    public const string UpstreamConnectFailureText = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
    public const string PoolOverflowText = "upstream connect error or disconnect/reset before headers. reset reason: overflow";
    public const string UpstreamTimeoutText = "upstream request timeout";

    private static readonly Dictionary<int, (byte[] KeepAlive, byte[] Close)> ByStatus = new()
    {
        [400] = Build(400, "Bad Request", "bad request: the request is malformed"),
        [404] = Build(404, "Not Found", "no API matches this host and path"),
        [405] = Build(405, "Method Not Allowed", "CONNECT is not supported"),
        [413] = Build(413, "Content Too Large", "the request body is larger than this API allows"),
        [408] = Build(408, "Request Timeout", "request timeout: the request head did not arrive in time"),
        [414] = Build(414, "URI Too Long", "the request line is too long"),
        [421] = Build(421, "Misdirected Request", "misdirected request: this host has another TLS policy than the server name of this connection"),
        [431] = Build(431, "Request Header Fields Too Large", "the request head is too large"),
        [501] = Build(501, "Not Implemented", "unsupported transfer coding"),
        [502] = Build(502, "Bad Gateway", UpstreamConnectFailureText),
        [503] = Build(503, "Service Unavailable", PoolOverflowText),
        [504] = Build(504, "Gateway Timeout", UpstreamTimeoutText),
        [505] = Build(505, "HTTP Version Not Supported", "HTTP version not supported"),
    };

    public static ReadOnlySpan<byte> For(int status, bool close)
    {
        var (keepAlive, closing) = ByStatus.TryGetValue(status, out var pair) ? pair : ByStatus[400];
        return close ? closing : keepAlive;
    }

    /// <summary>Error path only (allocates): Envoy's sentence with ", transport failure reason: ..." appended.</summary>
    public static byte[] BuildDetailed(int status, string detail, bool close)
    {
        var body = $"{UpstreamConnectFailureText}, transport failure reason: {detail.ReplaceLineEndings(" ")}";
        var bytes = Encoding.UTF8.GetByteCount(body);
        return Encoding.UTF8.GetBytes(
            $"HTTP/1.1 {status} Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: {bytes}\r\n{(close ? "Connection: close\r\n" : "")}\r\n{body}");
    }

    public static int StatusFor(ProxyError error) => error switch
    {
        ProxyError.UpstreamTimeout => 504,
        ProxyError.PoolOverflow => 503,
        _ => 502,
    };

    private static (byte[], byte[]) Build(int status, string reason, string body)
    {
        string Head(bool close) =>
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n{(close ? "Connection: close\r\n" : "")}\r\n{body}";
        return (Encoding.ASCII.GetBytes(Head(false)), Encoding.ASCII.GetBytes(Head(true)));
    }
}
