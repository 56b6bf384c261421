namespace FastGate.Core.Observability;

/// <summary>A point-in-time view of the gateway for /status.json, the status page and the Prometheus gauges.</summary>
internal sealed record GatewayStatus(
    DateTime StartedAt,
    bool Ready,
    string ConfigFile,
    long Reloads,
    long ReloadFailures,
    long AccessLogDropped,
    IReadOnlyList<ListenerStatus> Listeners,
    IReadOnlyList<ApiStatus> Apis,
    IReadOnlyList<PoolStatus> Pools,
    IReadOnlyList<CertificateStatus> Certificates);

internal sealed record ListenerStatus(string Name, string Address, bool Tls, int ActiveConnections, long Connections, long Handshakes);

internal sealed record ApiStatus(string Name, string ListenPath, string Hosts, string TargetUrl, string Upstream, string Auth, long Requests, long Errors);

internal sealed record PoolStatus(string Upstream, int Open, int Idle, long Created, long Reused);

internal sealed record CertificateStatus(string Subject, string Sans, string Issuer, string Usage, string Source, DateTime NotAfter, double DaysLeft, string Status);
