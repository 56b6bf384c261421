namespace FastGate.Core.Upstream;

/// <summary>The outcome of asking the pool for a connection: the connection and whether it was reused, or why not.</summary>
internal readonly struct UpstreamRent(UpstreamConnection? connection, bool reused, UpstreamFailure failure, string? detail,
    long connectedTimestamp = 0, long tlsDoneTimestamp = 0)
{
    public UpstreamConnection? Connection { get; } = connection;
    public bool Reused { get; } = reused;
    public UpstreamFailure Failure { get; } = failure;

    /// <summary>Transport detail for logs (e.g. the TLS error); null on success.</summary>
    public string? Detail { get; } = detail;

    /// <summary>Stopwatch timestamps of a new connection's TCP connect and TLS handshake completion (0 when reused or plain).</summary>
    public long ConnectedTimestamp { get; } = connectedTimestamp;
    public long TlsDoneTimestamp { get; } = tlsDoneTimestamp;
}
