using System.Net;
using FastGate.Core.Tls;

namespace FastGate.Core.Proxy;

/// <summary>A listener as configured in one snapshot: where it binds and, for TLS, how it selects its server profile.</summary>
internal sealed class ListenerSnapshot(string name, IPEndPoint endpoint, int maxConnections, ServerTlsSelector? tls)
{
    public string Name { get; } = name;
    public IPEndPoint Endpoint { get; } = endpoint;
    public int MaxConnections { get; } = maxConnections;

    /// <summary>Null for a plain-HTTP listener.</summary>
    public ServerTlsSelector? Tls { get; } = tls;
}
