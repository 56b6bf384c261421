using FastGate.Core.Auth;
using FastGate.Core.Tls;
using FastGate.Core.Upstream;

namespace FastGate.Core.Proxy;

/// <summary>An API definition compiled for forwarding: its upstream endpoint and the rewrite bytes, built once. Immutable.</summary>
internal sealed class ProxyApi
{
    public required string Name { get; init; }
    public required Uri TargetUrl { get; init; }
    public required UpstreamEndpoint Endpoint { get; init; }

    /// <summary>Bytes of the request path to strip (the listen path), or 0.</summary>
    public required int StripPrefixLength { get; init; }
    public required byte[] TargetBasePath { get; init; }

    /// <summary>The Host value to send upstream; empty to forward the client's.</summary>
    public required byte[] UpstreamHost { get; init; }

    /// <summary>The API's own upstream_certificates (consulted before the global map).</summary>
    public required UpstreamCertificateMap<ClientCertificate> UpstreamCertificates { get; init; }

    /// <summary>Why the endpoint carries its client certificate: "API key 'x'", "global key '*'", or "no key matched".</summary>
    public required string CertificateReason { get; init; }

    public required TimeSpan UpstreamTimeout { get; init; }

    public required AuthPolicy Auth { get; init; }

    public required bool Websockets { get; init; }

    /// <summary>This API's counters (by name, so they survive reloads).</summary>
    public required Observability.ApiMetrics Metrics { get; init; }

    /// <summary>Largest request body accepted; long.MaxValue for no limit.</summary>
    public required long MaxBodyBytes { get; init; }

    /// <summary>Add X-Forwarded-Client-Cert with the connection's validated client certificate.</summary>
    public required bool ForwardClientCertificate { get; init; }
}
