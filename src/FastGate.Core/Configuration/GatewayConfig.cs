namespace FastGate.Core.Configuration;

/// <summary>The root of fastgate.json, as the user wrote it.</summary>
internal sealed class GatewayConfig
{
    public List<ListenerConfig> Listeners { get; set; } = [];
    public Dictionary<string, KeystoreConfig> Keystores { get; set; } = [];
    public Dictionary<string, TruststoreConfig> Truststores { get; set; } = [];
    public Dictionary<string, TlsServerProfileConfig> TlsServerProfiles { get; set; } = [];
    public Dictionary<string, TlsClientProfileConfig> TlsClientProfiles { get; set; } = [];
    public List<ApiConfig> Apis { get; set; } = [];
    public Dictionary<string, ApplicationConfig> Applications { get; set; } = [];

    /// <summary>Tyk's global upstream_certificates: target host pattern to keystore, used when an API's own map has no match.</summary>
    public Dictionary<string, string> UpstreamCertificates { get; set; } = [];

    /// <summary>Append the transport failure reason (e.g. the TLS error) to 502 bodies. Off: TLS internals are not for clients.</summary>
    public bool DetailedUpstreamErrors { get; set; }
    public UpstreamPoolConfig UpstreamPool { get; set; } = new();
    public LimitsConfig Limits { get; set; } = new();
    public CertificateExpiryConfig CertificateExpiry { get; set; } = new();
    public TlsSessionsConfig TlsSessions { get; set; } = new();

    /// <summary>
    /// How proxy listeners and upstream connections use their sockets: "epoll" (FastGate's own event loops, Linux
    /// x86-64 and arm64), "sockets" (.NET's), or "auto" (epoll where supported). Read at start.
    /// </summary>
    public string Transport { get; set; } = "auto";

    /// <summary>
    /// How many epoll event loop threads serve connections: 0 (the default) is one per processor the process may run
    /// on (nginx's worker_processes auto, HAProxy's nbthread). Read at start.
    /// </summary>
    public int EventLoops { get; set; }
    public AccessLogConfig AccessLog { get; set; } = new();
    public AdminConfig? Admin { get; set; }
    public ReloadConfig Reload { get; set; } = new();
    public DevelopmentCertificatesConfig? DevelopmentCertificates { get; set; }
    public List<DemoUpstreamConfig> DemoUpstreams { get; set; } = [];
}
