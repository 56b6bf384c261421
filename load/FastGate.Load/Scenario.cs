namespace FastGate.Load;

/// <summary>
/// One load scenario, as NBomber users write them: what to send, over how many connections, at what rate, for how long.
/// Rate 0 is the closed model (each connection sends as fast as answers come back); a rate is the open model
/// (requests are due on a fixed schedule and latency counts from when each was due, so stalls are not hidden).
/// </summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public required Uri Url { get; init; }
    public string Method { get; init; } = "GET";
    public byte[] Body { get; init; } = [];
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];
    public int Connections { get; init; } = 64;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests per second across all connections; 0 for the closed model.</summary>
    public double Rate { get; init; }

    /// <summary>A new connection (and TLS handshake) for every request: measures handshake rate.</summary>
    public bool NewConnectionPerRequest { get; init; }

    /// <summary>With new connections: offer the previous TLS session for resumption.</summary>
    public bool ResumeTls { get; init; }

    /// <summary>The SNI name (default: the URL's host).</summary>
    public string? Sni { get; init; }

    /// <summary>Trust this CA (PEM) for the server certificate; null with Insecure to accept any.</summary>
    public string? CaFile { get; init; }
    public bool Insecure { get; init; }
    public string? ClientCertificateFile { get; init; }
    public string? ClientKeyFile { get; init; }
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this many requests (0: run for the duration).</summary>
    public long MaxRequests { get; init; }

    /// <summary>Connect to this address instead of resolving the URL's host (as curl --resolve).</summary>
    public System.Net.IPEndPoint? ConnectTo { get; init; }
}
