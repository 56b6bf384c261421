using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Auth;

/// <summary>Decodes a certificate a load balancer passed in a header: URL-encoded PEM (nginx's $ssl_client_escaped_cert, Envoy's XFCC Cert=).</summary>
internal static class CertificateHeaderDecoder
{
    public static X509Certificate2? TryDecode(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.Length > 16 * 1024)
        {
            return null;
        }
        // Form-style decoding: "+" is a space (a base64 "+" arrives as %2B from every encoder).
        var text = System.Net.WebUtility.UrlDecode(System.Text.Encoding.ASCII.GetString(value)).Trim('"');
        try
        {
            return X509Certificate2.CreateFromPem(text);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
