namespace FastGate.Core.Configuration;

internal sealed class UpstreamPoolConfig
{
    /// <summary>Open connections (idle and busy) per upstream endpoint; a request past it gets 503.</summary>
    public int MaxConnectionsPerEndpoint { get; set; } = 512;

    /// <summary>
    /// Idle connections are closed after this long: below the shortest common server keep-alive defaults
    /// (Node.js and Apache httpd: 5 s), so FastGate closes first and never reuses a connection the server is closing.
    /// </summary>
    public double IdleTimeoutSeconds { get; set; } = 4;

    public double ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>A connection is not reused after this age, however busy (DNS and certificate changes reach it).</summary>
    public double MaxLifetimeSeconds { get; set; } = 300;

    /// <summary>How long a request waits for a connection when the endpoint is at its maximum; then 503.</summary>
    public double WaitTimeoutSeconds { get; set; } = 1;
}
