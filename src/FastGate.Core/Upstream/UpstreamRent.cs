namespace FastGate.Core.Upstream;

/// <summary>The outcome of asking the pool for a connection: the connection and whether it was reused, or why not.</summary>
internal readonly struct UpstreamRent(UpstreamConnection? connection, bool reused, UpstreamFailure failure, string? detail)
{
    public UpstreamConnection? Connection { get; } = connection;
    public bool Reused { get; } = reused;
    public UpstreamFailure Failure { get; } = failure;

    /// <summary>Transport detail for logs (e.g. the TLS error); null on success.</summary>
    public string? Detail { get; } = detail;
}
