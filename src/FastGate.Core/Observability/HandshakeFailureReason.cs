namespace FastGate.Core.Observability;

/// <summary>Why a downstream TLS handshake failed, for fastgate_tls_handshake_failures_total.</summary>
internal enum HandshakeFailureReason
{
    Timeout,
    NoClientCertificate,
    ClientCertificateRefused,
    Protocol,
}
