namespace FastGate.Core.Http;

/// <summary>A parsed response head. Reused per upstream exchange (not thread-safe).</summary>
internal sealed class HttpResponseHead : HttpMessageHead
{
    public int StatusCode { get; internal set; }

    /// <summary>Length of the status line without its CRLF.</summary>
    public int StatusLineLength { get; internal set; }

    public ReadOnlySpan<byte> StatusLine => Span[..StatusLineLength];

    public bool IsInformational => StatusCode is >= 100 and < 200;

    /// <summary>The upstream's idle limit from "Keep-Alive: timeout=N", or -1 when it sent none.</summary>
    public int KeepAliveTimeoutSeconds { get; internal set; } = -1;

    public override void Reset()
    {
        base.Reset();
        StatusCode = 0;
        StatusLineLength = 0;
        KeepAliveTimeoutSeconds = -1;
    }
}
