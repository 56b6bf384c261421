using System.Diagnostics;

namespace FastGate.Core.Proxy;

/// <summary>
/// What happened to one request, for metrics and the access log: timings as Stopwatch timestamps, byte counts,
/// the status sent, the upstream and its connection. Reused per connection (not thread-safe).
/// </summary>
internal sealed class RequestRecord
{
    public long Start;
    public long UpstreamStart;
    public long UpstreamConnected;
    public long UpstreamTlsDone;
    public long FirstByte;
    public long End;
    public int Status;
    public long RequestBytes;
    public long ResponseBytes;
    public bool Reused;
    public string? ErrorCode;
    public ProxyApi? Api;
    public int Method;
    public readonly ByteCounter RequestBody = new();
    public readonly ByteCounter ResponseBody = new();

    // Copies of what the access log needs from the head, which is gone once its bytes are consumed (truncated; made
    // on the first logged request, so a gateway without access log carries ~1 KB less per connection).
    private byte[]? _requestLine;
    private byte[]? _userAgent;
    private byte[]? _referer;
    private readonly byte[] _requestId = new byte[128];
    private int _requestLineLength;
    private int _userAgentLength;
    private int _refererLength;
    private int _requestIdLength;

    public ReadOnlySpan<byte> RequestLine => _requestLine.AsSpan(0, _requestLineLength);
    public ReadOnlySpan<byte> UserAgent => _userAgent.AsSpan(0, _userAgentLength);
    public ReadOnlySpan<byte> Referer => _referer.AsSpan(0, _refererLength);
    public ReadOnlyMemory<byte> RequestId => _requestId.AsMemory(0, _requestIdLength);

    /// <summary>True when the client sent no usable X-Request-Id and one was generated (it is forwarded upstream).</summary>
    public bool RequestIdGenerated;

    // 12 hex digits, random per process; as bytes once, not converted from a string on every request.
    private static readonly byte[] ProcessPrefix = System.Text.Encoding.ASCII.GetBytes(
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)));
    private static long _sequence;

    /// <param name="forAccessLog">Also copy the request line, User-Agent and Referer (only the access log shows them).</param>
    public void Capture(Http.HttpRequestHead head, bool forAccessLog)
    {
        Method = (int)head.Method;
        if (forAccessLog)
        {
            _requestLineLength = CopyTruncated(head.Span[..head.Span.IndexOf((byte)'\r')], _requestLine ??= new byte[512]);
            _userAgentLength = head.TryGetHeader("User-Agent"u8, out var agent) ? CopyTruncated(agent, _userAgent ??= new byte[256]) : 0;
            _refererLength = head.TryGetHeader("Referer"u8, out var referer) ? CopyTruncated(referer, _referer ??= new byte[256]) : 0;
        }
        if (head.TryGetHeader("X-Request-Id"u8, out var id) && id.Length is > 0 and <= 128 && !id.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            _requestIdLength = CopyTruncated(id, _requestId);
            RequestIdGenerated = false;
        }
        else
        {
            // Process prefix + sequence: unique per gateway process, no allocation.
            ProcessPrefix.CopyTo(_requestId, 0);
            _requestId[12] = (byte)'-';
            System.Buffers.Text.Utf8Formatter.TryFormat(Interlocked.Increment(ref _sequence), _requestId.AsSpan(13), out var written, new System.Buffers.StandardFormat('x', 12));
            _requestIdLength = 13 + written;
            RequestIdGenerated = true;
        }
    }

    public void Clear()
    {
        _requestLineLength = _userAgentLength = _refererLength = _requestIdLength = 0;
        RequestIdGenerated = false;
        Method = 0;
    }

    private static int CopyTruncated(ReadOnlySpan<byte> source, byte[] destination)
    {
        var length = Math.Min(source.Length, destination.Length);
        source[..length].CopyTo(destination);
        return length;
    }

    public void Begin(long start, long headBytes)
    {
        RequestBody.Bytes = 0;
        ResponseBody.Bytes = 0;
        Start = start;
        UpstreamStart = UpstreamConnected = UpstreamTlsDone = FirstByte = End = 0;
        Status = 0;
        RequestBytes = headBytes;
        ResponseBytes = 0;
        Reused = false;
        ErrorCode = null;
        Api = null;
    }

    public static double Seconds(long from, long to) => from == 0 || to == 0 ? -1 : (double)(to - from) / Stopwatch.Frequency;
}
