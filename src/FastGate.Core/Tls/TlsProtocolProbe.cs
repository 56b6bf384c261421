using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>
/// Finds out whether this machine's TLS library will negotiate a legacy version at all (OpenSSL 3's default
/// security level refuses TLS 1.0/1.1), by a loopback handshake at start, so a profile that asks for one gets a
/// clear error instead of failing every client.
/// </summary>
internal static class TlsProtocolProbe
{
    public static bool Negotiates(SslProtocols protocol)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fastgate-probe", key, HashAlgorithmName.SHA256);
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        using var certificate = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pkcs12), null);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        using var serverStream = new SslStream(new NetworkStream(accepted));
        using var clientStream = new SslStream(new NetworkStream(client));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var server = serverStream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = protocol,
            }, timeout.Token);
            var clientSide = clientStream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "fastgate-probe",
                EnabledSslProtocols = protocol,
#pragma warning disable CA5359 // a throw-away self-signed probe on loopback: only the protocol matters
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            }, timeout.Token);
            Task.WaitAll([server, clientSide], TimeSpan.FromSeconds(5));
            return serverStream.SslProtocol == protocol;
        }
        catch (Exception e) when (e is AggregateException or AuthenticationException or IOException or OperationCanceledException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
