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
    public UpstreamPoolConfig UpstreamPool { get; set; } = new();
    public LimitsConfig Limits { get; set; } = new();
    public DevelopmentCertificatesConfig? DevelopmentCertificates { get; set; }
    public List<DemoUpstreamConfig> DemoUpstreams { get; set; } = [];
}
