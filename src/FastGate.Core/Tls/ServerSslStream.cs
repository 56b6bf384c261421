using System.Net.Security;

namespace FastGate.Core.Tls;

/// <summary>A server SslStream that keeps why a client certificate was refused, so the log line can name the reason and the peer.</summary>
internal sealed class ServerSslStream(Stream inner) : SslStream(inner, leaveInnerStreamOpen: true)
{
    public string? ClientCertificateFailure { get; set; }
}
