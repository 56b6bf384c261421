namespace FastGate.Core.Configuration;

/// <summary>A client certificate passed in a header (URL-encoded PEM, as nginx's $ssl_client_escaped_cert) by a trusted load balancer.</summary>
internal sealed class CertificateHeaderConfig
{
    public string Name { get; set; } = "X-Client-Cert";

    /// <summary>Addresses or CIDR ranges ("10.0.0.0/8", "::1") of the load balancers whose header is believed; anyone else's is removed.</summary>
    public List<string> TrustedSources { get; set; } = [];
}
