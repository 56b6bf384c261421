namespace FastGate.Core.Configuration;

/// <summary>
/// An API consumer (IBM API Connect's "application"): its client id, the client certificates that identify it
/// (PEM files or SHA-256 fingerprints), and the APIs it is subscribed to.
/// </summary>
internal sealed class ApplicationConfig
{
    public string? ClientId { get; set; }
    public List<string> Certificates { get; set; } = [];

    /// <summary>SHA-256 of the certificate's DER bytes, hex (colons allowed).</summary>
    public List<string> Fingerprints { get; set; } = [];

    /// <summary>Names of the API definitions this application may call.</summary>
    public List<string> Subscriptions { get; set; } = [];
}
