namespace FastGate.Core.Configuration;

internal sealed class ListenerConfig
{
    public string? Name { get; set; }

    /// <summary>"127.0.0.1:8443", "[::1]:8443", "0.0.0.0:443" or "[::]:443".</summary>
    public string? Address { get; set; }

    /// <summary>Absent: plain HTTP.</summary>
    public ListenerTlsConfig? Tls { get; set; }

    public int MaxConnections { get; set; } = 10_000;
}
