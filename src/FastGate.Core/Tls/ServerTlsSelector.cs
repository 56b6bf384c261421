using System.Net.Security;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Tls;

/// <summary>
/// Picks a listener's TLS server profile by SNI: exact name, then one-level wildcard, then the listener's default
/// (also for clients that send no SNI). Immutable; shared by all handshakes on the listener.
/// </summary>
internal sealed class ServerTlsSelector(TlsServerProfile defaultProfile, HostNameMap<TlsServerProfile> byHost)
{
    /// <summary>The delegate SslStream calls per handshake; static so no closure is allocated.</summary>
    public static readonly ServerOptionsSelectionCallback Callback = SelectOptions;

    public TlsServerProfile DefaultProfile { get; } = defaultProfile;
    public HostNameMap<TlsServerProfile> ByHost { get; } = byHost;

    public TlsServerProfile Select(string? serverName) =>
        string.IsNullOrEmpty(serverName) ? DefaultProfile : ByHost.Find(serverName.AsSpan()) ?? DefaultProfile;

    private static ValueTask<SslServerAuthenticationOptions> SelectOptions(
        SslStream stream, SslClientHelloInfo clientHello, object? state, CancellationToken cancellationToken)
    {
        var selector = (ServerTlsSelector)state!;
        return ValueTask.FromResult(selector.Select(clientHello.ServerName).Options);
    }
}
