using FastGate.Core.Transport;
using System.Net.Security;
using FastGate.Core.Tls;

namespace FastGate.Core.Upstream;

/// <summary>
/// Where and how to connect for one pool key: scheme, host, port, SNI and TLS client profile.
/// Built once per configuration snapshot; the pool it points to outlives snapshots.
/// </summary>
internal sealed class UpstreamEndpoint(string key, string host, int port, SslClientAuthenticationOptions? tlsOptions,
    TimeSpan connectTimeout, EndpointPool pool, ClientCertificate? clientCertificate = null,
    TransportKind transport = TransportKind.Sockets)
{
    public TransportKind Transport { get; } = transport;
    /// <summary>The pool key: everything that makes one connection different from another.</summary>
    public string Key { get; } = key;
    public string Host { get; } = host;
    public int Port { get; } = port;
    public bool IsTls => TlsOptions is not null;
    public SslClientAuthenticationOptions? TlsOptions { get; } = tlsOptions;
    public TimeSpan ConnectTimeout { get; } = connectTimeout;
    public EndpointPool Pool { get; } = pool;

    /// <summary>The client certificate presented to this upstream, or null.</summary>
    public ClientCertificate? ClientCertificate { get; } = clientCertificate;

    public override string ToString() => Key;
}
