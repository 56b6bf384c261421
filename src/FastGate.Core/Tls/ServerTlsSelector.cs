using System.Net.Security;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Tls;

/// <summary>
/// Picks a listener's TLS server profile by SNI: exact name, then one-level wildcard, then the listener's default
/// (also for clients that send no SNI). Immutable; shared by all handshakes on the listener.
/// </summary>
internal sealed class ServerTlsSelector(TlsServerProfile defaultProfile, HostNameMap<TlsServerProfile> byHost, bool hasSeveralPolicies)
{
    /// <summary>The delegate SslStream calls per handshake; static so no closure is allocated.</summary>
    public static readonly ServerOptionsSelectionCallback Callback = SelectOptions;

    public TlsServerProfile DefaultProfile { get; } = defaultProfile;
    public HostNameMap<TlsServerProfile> ByHost { get; } = byHost;

    /// <summary>
    /// True when host names on this listener map to different profiles, so a request's Host must be checked against
    /// the profile its handshake selected (the SNI/Host mismatch that bypassed mTLS in other gateways).
    /// </summary>
    public bool HasSeveralPolicies { get; } = hasSeveralPolicies;

    /// <summary>The profile for a Host header value (port stripped), as the handshake would have chosen it.</summary>
    public TlsServerProfile SelectForHost(ReadOnlySpan<byte> host) => host.IsEmpty ? DefaultProfile : ByHost.Find(host) ?? DefaultProfile;

    public TlsServerProfile Select(string? serverName) =>
        string.IsNullOrEmpty(serverName) ? DefaultProfile : ByHost.Find(serverName.AsSpan()) ?? DefaultProfile;

    private static ValueTask<SslServerAuthenticationOptions> SelectOptions(
        SslStream stream, SslClientHelloInfo clientHello, object? state, CancellationToken cancellationToken)
    {
        var selector = (ServerTlsSelector)state!;
        return ValueTask.FromResult(selector.Select(clientHello.ServerName).Options);
    }
}
