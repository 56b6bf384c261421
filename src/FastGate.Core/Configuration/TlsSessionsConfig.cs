namespace FastGate.Core.Configuration;

/// <summary>
/// TLS session resumption for every server profile. OpenSSL reads these once per process, so a change takes effect
/// at the next start (a reload says so).
/// </summary>
internal sealed class TlsSessionsConfig
{
    /// <summary>
    /// False (the default): TLS 1.3 and 1.2 resumption look sessions up in the server's session cache (nginx's
    /// <c>ssl_session_tickets off</c>): no ticket is encrypted or decoded per handshake, and no process-lifetime
    /// ticket key weakens forward secrecy. True: OpenSSL's stateless tickets, which survive cache eviction.
    /// </summary>
    public bool StatelessTickets { get; set; }

    /// <summary>Sessions each server certificate's cache keeps (OpenSSL's default is 20480).</summary>
    public int CacheSize { get; set; } = 20480;
}
