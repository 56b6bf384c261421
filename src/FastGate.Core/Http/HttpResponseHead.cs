namespace FastGate.Core.Http;

/// <summary>A parsed response head. Reused per upstream exchange (not thread-safe).</summary>
internal sealed class HttpResponseHead : HttpMessageHead
{
    public int StatusCode { get; internal set; }

    /// <summary>Length of the status line without its CRLF.</summary>
    public int StatusLineLength { get; internal set; }

    public ReadOnlySpan<byte> StatusLine => Span[..StatusLineLength];

    public bool IsInformational => StatusCode is >= 100 and < 200;

    public override void Reset()
    {
        base.Reset();
        StatusCode = 0;
        StatusLineLength = 0;
    }
}
