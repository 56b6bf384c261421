namespace FastGate.Core.Configuration;

/// <summary>How an API authenticates its consumers.</summary>
internal sealed class ApiAuthConfig
{
    /// <summary>"none" or "tls-cert" (application authentication by client certificate, API Connect's source `tls-cert`).</summary>
    public string Type { get; set; } = "none";

    /// <summary>When set, the request must carry the application's client id in this header (e.g. X-IBM-Client-ID).</summary>
    public string? ClientIdHeader { get; set; }

    /// <summary>Take the certificate from a header set by a TLS-terminating load balancer, from trusted addresses only.</summary>
    public CertificateHeaderConfig? CertificateHeader { get; set; }
}
