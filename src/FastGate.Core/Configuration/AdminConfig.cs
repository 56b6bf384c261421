namespace FastGate.Core.Configuration;

/// <summary>The admin listener: /healthz, /readyz, /metrics (Prometheus), /status.json and the status page at /. Off when absent.</summary>
internal sealed class AdminConfig
{
    /// <summary>Loopback by default; anyone who reaches it sees the gateway's topology and certificates.</summary>
    public string Address { get; set; } = "127.0.0.1:9901";
}
