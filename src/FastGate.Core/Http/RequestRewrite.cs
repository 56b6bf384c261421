namespace FastGate.Core.Http;

/// <summary>How one request head is rewritten for its upstream. All byte arrays are built once per route or connection.</summary>
internal readonly struct RequestRewrite
{
    /// <summary>Bytes of the request path to drop (the listen path when it is stripped), 0 to keep the path.</summary>
    public int StripPrefixLength { get; init; }

    /// <summary>The target URL's base path without a trailing slash ("" for none).</summary>
    public ReadOnlyMemory<byte> TargetBasePath { get; init; }

    /// <summary>The Host value to send, or empty to forward the client's Host as it came.</summary>
    public ReadOnlyMemory<byte> UpstreamHost { get; init; }

    /// <summary>The client's address as text, appended to X-Forwarded-For.</summary>
    public ReadOnlyMemory<byte> ClientAddress { get; init; }

    /// <summary>"https" or "http": the scheme the client used, for X-Forwarded-Proto.</summary>
    public ReadOnlyMemory<byte> ClientScheme { get; init; }

    /// <summary>The value for X-Forwarded-Client-Cert, or empty; a client's own XFCC is always removed.</summary>
    public ReadOnlyMemory<byte> ForwardedClientCert { get; init; }

    /// <summary>A header to remove (a load balancer's certificate header from an untrusted source), or empty.</summary>
    public ReadOnlyMemory<byte> DropHeader { get; init; }

    /// <summary>A generated X-Request-Id to add (the client sent none), or empty.</summary>
    public ReadOnlyMemory<byte> RequestId { get; init; }

    /// <summary>Forward the Upgrade header with "Connection: upgrade" (a tunnel may follow the upstream's 101).</summary>
    public bool Upgrade { get; init; }

    /// <summary>The gateway answers "100 Continue" itself, so the Expect field is not forwarded.</summary>
    public bool DropExpect { get; init; }
}
