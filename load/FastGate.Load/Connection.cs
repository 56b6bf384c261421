using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Load;

/// <summary>Opens one client connection for a scenario: TCP (NoDelay) and, for https, TLS with SNI and an optional client certificate.</summary>
internal sealed class ConnectionFactory
{
    private readonly Scenario _scenario;
    private readonly EndPoint _endpoint;
    private readonly SslClientAuthenticationOptions? _tls;

    public ConnectionFactory(Scenario scenario)
    {
        _scenario = scenario;
        _endpoint = scenario.ConnectTo ?? (EndPoint)new DnsEndPoint(scenario.Url.Host, scenario.Url.Port);
        if (scenario.Url.Scheme == Uri.UriSchemeHttps)
        {
            _tls = new SslClientAuthenticationOptions
            {
                TargetHost = scenario.Sni ?? scenario.Url.IdnHost,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            };
            if (scenario.Insecure)
            {
                _tls.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
            }
            else if (scenario.CaFile is not null)
            {
                var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(scenario.CaFile);
                policy.CustomTrustStore.AddRange(roots);
                _tls.CertificateChainPolicy = policy;
            }
            if (scenario.ClientCertificateFile is not null)
            {
                var certificate = X509Certificate2.CreateFromPemFile(scenario.ClientCertificateFile, scenario.ClientKeyFile);
                _tls.ClientCertificateContext = SslStreamCertificateContext.Create(
                    X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null), null, offline: true);
            }
        }
    }

    /// <summary>
    /// A connected stream. With <paramref name="resumable"/> the same options object is reused across handshakes,
    /// which lets .NET offer the cached TLS session (resumption); otherwise the session cache is defeated.
    /// </summary>
    public async ValueTask<Stream> OpenAsync(bool resumable, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new LoadException(ErrorKind.Connect, e.Message);
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (_tls is null)
        {
            return stream;
        }
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var options = resumable ? _tls : Fresh(_tls);
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new LoadException(ErrorKind.Tls, e.Message);
        }
        return ssl;
    }

    /// <summary>.NET keys its client session cache on the target host and options; a unique host name defeats it.</summary>
    private static SslClientAuthenticationOptions Fresh(SslClientAuthenticationOptions template) => new()
    {
        TargetHost = template.TargetHost,
        ApplicationProtocols = template.ApplicationProtocols,
        RemoteCertificateValidationCallback = template.RemoteCertificateValidationCallback,
        CertificateChainPolicy = template.CertificateChainPolicy,
        ClientCertificateContext = template.ClientCertificateContext,
        AllowTlsResume = false,
    };
}
