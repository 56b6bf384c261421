namespace FastGate.Core.Configuration;

internal sealed class UpstreamPoolConfig
{
    /// <summary>Open connections (idle and busy) per upstream endpoint; a request past it gets 503.</summary>
    public int MaxConnectionsPerEndpoint { get; set; } = 512;

    /// <summary>Idle connections are closed after this long; below the 60 s+ keep-alive of common servers.</summary>
    public double IdleTimeoutSeconds { get; set; } = 30;

    public double ConnectTimeoutSeconds { get; set; } = 5;
}
