using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>A client SslStream that remembers whether the server asked for a client certificate, to explain a later refusal.</summary>
internal sealed class TrackingSslStream(Stream inner) : SslStream(inner, leaveInnerStreamOpen: false)
{
    /// <summary>Set on endpoints without a client certificate: records the request and presents nothing.</summary>
    public static readonly LocalCertificateSelectionCallback RecordRequest = static (sender, _, _, _, _) =>
    {
        if (sender is TrackingSslStream stream)
        {
            stream.ClientCertificateRequested = true;
        }
        return null!;
    };

    public bool ClientCertificateRequested { get; private set; }
}
