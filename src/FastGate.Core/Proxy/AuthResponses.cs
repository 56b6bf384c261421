using System.Text;
using FastGate.Core.Auth;

namespace FastGate.Core.Proxy;

/// <summary>401/403 answers for refused application authentication, in API Connect's JSON error shape, built once.</summary>
internal static class AuthResponses
{
    private static readonly Dictionary<AuthOutcome, (byte[] KeepAlive, byte[] Close)> ByOutcome = new()
    {
        [AuthOutcome.NoCertificate] = Build(401, "Unauthorized", "A client certificate is required (tls-cert)."),
        [AuthOutcome.UnknownCertificate] = Build(401, "Unauthorized", "The client certificate does not identify a registered application."),
        [AuthOutcome.InvalidCertificateHeader] = Build(401, "Unauthorized", "The forwarded client certificate cannot be decoded."),
        [AuthOutcome.NotSubscribed] = Build(403, "Forbidden", "The application is not subscribed to this API."),
        [AuthOutcome.MissingClientId] = Build(403, "Forbidden", "The client id header is missing."),
        [AuthOutcome.WrongClientId] = Build(403, "Forbidden", "The client id does not belong to the application of the client certificate."),
    };

    public static ReadOnlySpan<byte> For(AuthOutcome outcome, bool close)
    {
        var (keepAlive, closing) = ByOutcome[outcome];
        return close ? closing : keepAlive;
    }

    private static (byte[], byte[]) Build(int status, string reason, string information)
    {
        var body = $"{{\"httpCode\":\"{status}\",\"httpMessage\":\"{reason}\",\"moreInformation\":\"{information}\"}}";
        string Head(bool close) =>
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n{(close ? "Connection: close\r\n" : "")}\r\n{body}";
        return (Encoding.ASCII.GetBytes(Head(false)), Encoding.ASCII.GetBytes(Head(true)));
    }
}
