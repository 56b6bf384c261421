using FastGate.Core.Auth;
using FastGate.Core.Configuration;
using FastGate.Core.Http;
using FastGate.Core.Routing;
using FastGate.Core.Tls;
using FastGate.Core.Upstream;

namespace FastGate.Core.Proxy;

/// <summary>
/// Everything a connection needs, compiled once from a configuration and immutable afterwards: connections take
/// the snapshot current when they start and keep it to their end.
/// </summary>
internal sealed class GatewaySnapshot
{
    public required LoadedConfig Source { get; init; }
    public required IReadOnlyDictionary<string, ListenerSnapshot> Listeners { get; init; }
    public required RouteTable<ProxyApi> Routes { get; init; }
    public required IReadOnlyList<ProxyApi> Apis { get; init; }
    public required IReadOnlyDictionary<string, LoadedKeystore> Keystores { get; init; }
    public required IReadOnlyDictionary<string, Truststore> Truststores { get; init; }
    public required HttpParserLimits ParserLimits { get; init; }
    public required TimeSpan HandshakeTimeout { get; init; }
    public required TimeSpan RequestBodyTimeout { get; init; }
    public required TimeSpan RequestHeadTimeout { get; init; }
    public required TimeSpan KeepAliveTimeout { get; init; }
    public required TimeSpan UpstreamResponseTimeout { get; init; }
    public required TimeSpan ShutdownDrainTimeout { get; init; }
    public required UpstreamCertificateMap<ClientCertificate> GlobalUpstreamCertificates { get; init; }
    public required IReadOnlyDictionary<string, TlsClientProfile> ClientProfiles { get; init; }
    public required bool DetailedUpstreamErrors { get; init; }
    public required ApplicationRegistry Applications { get; init; }
}
