namespace FastGate.Core.Configuration;

/// <summary>An API definition: which requests it takes (hosts, listen path) and where they go (target URL).</summary>
internal sealed class ApiConfig
{
    public string? Name { get; set; }

    /// <summary>Exact names or one-level wildcards ("*.example.com"); empty means any host.</summary>
    public List<string> Hosts { get; set; } = [];

    public string? ListenPath { get; set; }
    public bool StripListenPath { get; set; }

    /// <summary>"http://host:port/base" or "https://host/base".</summary>
    public string? TargetUrl { get; set; }

    /// <summary>Forward the client's Host header instead of the target URL's authority.</summary>
    public bool PreserveHostHeader { get; set; }

    /// <summary>The TLS client profile for an https target URL; absent: system trust store, TLS 1.2/1.3.</summary>
    public string? TlsClientProfile { get; set; }

    /// <summary>Target host (or host:port, *.domain, *) to keystore: the client certificate for the upstream. Wins over the global map when any key matches.</summary>
    public Dictionary<string, string> UpstreamCertificates { get; set; } = [];

    /// <summary>Time allowed for the upstream's response head; absent: limits.upstream_response_timeout_seconds.</summary>
    public double? UpstreamTimeoutSeconds { get; set; }

    /// <summary>Largest request body this API accepts (413 beyond); 0: no limit; absent: limits.max_request_body_bytes.</summary>
    public long? MaxBodyBytes { get; set; }

    public ApiAuthConfig Auth { get; set; } = new();

    /// <summary>Tunnel protocol upgrades (WebSocket) after the upstream's 101; off: Upgrade is dropped as hop-by-hop.</summary>
    public bool Websockets { get; set; } = true;

    /// <summary>Send the validated client certificate to the upstream in X-Forwarded-Client-Cert (Envoy's format). A client's own XFCC is always removed.</summary>
    public bool ForwardClientCertificate { get; set; }
}
