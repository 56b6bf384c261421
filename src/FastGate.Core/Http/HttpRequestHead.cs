namespace FastGate.Core.Http;

/// <summary>A parsed request head. Reused per connection (not thread-safe).</summary>
internal sealed class HttpRequestHead : HttpMessageHead
{
    public HttpMethodKind Method { get; internal set; }
    public int MethodLength { get; internal set; }
    public int TargetStart { get; internal set; }
    public int TargetLength { get; internal set; }

    /// <summary>Offset of the path (for absolute-form, after the authority).</summary>
    public int PathStart { get; internal set; }
    public int PathLength { get; internal set; }

    /// <summary>Offset and length of the query including its '?', or length 0.</summary>
    public int QueryStart { get; internal set; }
    public int QueryLength { get; internal set; }

    /// <summary>Authority of an absolute-form target, or length 0.</summary>
    public int AuthorityStart { get; internal set; }
    public int AuthorityLength { get; internal set; }

    public int HostHeaderIndex { get; internal set; } = -1;
    public bool ExpectContinue { get; internal set; }

    public ReadOnlySpan<byte> MethodBytes => Span[..MethodLength];
    public ReadOnlySpan<byte> Target => Span.Slice(TargetStart, TargetLength);
    public ReadOnlySpan<byte> Path => Span.Slice(PathStart, PathLength);
    public ReadOnlySpan<byte> Query => Span.Slice(QueryStart, QueryLength);

    /// <summary>The host the request is for: an absolute-form target's authority, else the Host header, else empty.</summary>
    public ReadOnlySpan<byte> Authority
    {
        get
        {
            if (AuthorityLength > 0)
            {
                return Span.Slice(AuthorityStart, AuthorityLength);
            }
            return HostHeaderIndex >= 0 ? ValueOf(Headers[HostHeaderIndex]) : default;
        }
    }

    public ReadOnlySpan<byte> HostHeaderValue => HostHeaderIndex >= 0 ? ValueOf(Headers[HostHeaderIndex]) : default;

    public bool HasBody => Framing is BodyFraming.ContentLength or BodyFraming.Chunked;

    /// <summary>A protocol switch (WebSocket) a proxy may tunnel: HTTP/1.1, Connection: upgrade, an Upgrade header, no body.</summary>
    public bool IsUpgradeRequest => ConnectionUpgrade && HasUpgradeHeader && Version == HttpVersionKind.Http11 && !HasBody;

    public override void Reset()
    {
        base.Reset();
        Method = HttpMethodKind.Other;
        MethodLength = 0;
        TargetStart = TargetLength = 0;
        PathStart = PathLength = 0;
        QueryStart = QueryLength = 0;
        AuthorityStart = AuthorityLength = 0;
        HostHeaderIndex = -1;
        ExpectContinue = false;
    }
}
