namespace FastGate.Core.Observability;

/// <summary>Upstream failures by kind, for fastgate_upstream_errors_total.</summary>
internal enum UpstreamErrorKind
{
    Connect,
    Tls,
    Reset,
    Timeout,
    Overflow,
    Protocol,
}
