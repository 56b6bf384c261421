namespace FastGate.Core.Configuration;

/// <summary>
/// Development only: when the directory lacks them, FastGate generates a CA, a server certificate for
/// <see cref="Hosts"/> and client certificates there at start, so a fresh clone runs with no openssl step.
/// </summary>
internal sealed class DevelopmentCertificatesConfig
{
    public string? Directory { get; set; }
    public List<string> Hosts { get; set; } = ["localhost"];
}
