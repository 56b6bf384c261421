using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FastGate.Load;

/// <summary>
/// A minimal, fast HTTP/1.1 upstream for benchmarks: keep-alive, a fixed body of the configured size, plain,
/// TLS or mutual TLS. Reads request bodies by Content-Length and discards them.
/// </summary>
public sealed class TestUpstreamServer
{
    private readonly byte[] _response;
    private readonly SslServerAuthenticationOptions? _tls;

    public TestUpstreamServer(int bodySize, string? certificateFile, string? keyFile, string? clientCaFile)
    {
        var body = new string('x', bodySize);
        _response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {bodySize}\r\n\r\n{body}");
        if (certificateFile is not null)
        {
            var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            _tls = new SslServerAuthenticationOptions { ServerCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true) };
            if (clientCaFile is not null)
            {
                var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(clientCaFile);
                policy.CustomTrustStore.AddRange(roots);
                _tls.ClientCertificateRequired = true;
                _tls.CertificateChainPolicy = policy;
            }
        }
    }

    public async Task RunAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(endpoint);
        listener.Listen(4096);
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            socket.NoDelay = true;
            _ = ServeAsync(socket, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_tls is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_tls, cancellationToken).ConfigureAwait(false);
                stream = ssl;
            }
            var buffer = new byte[64 * 1024];
            var filled = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }
                filled += read;
                while (true)
                {
                    var headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                    if (headEnd < 0)
                    {
                        break;
                    }
                    var length = ContentLength(buffer.AsSpan(0, headEnd + 2));
                    var total = headEnd + 4 + length;
                    while (filled < total)
                    {
                        if (total > buffer.Length)
                        {
                            Array.Resize(ref buffer, total);
                        }
                        read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }
                        filled += read;
                    }
                    await stream.WriteAsync(_response, cancellationToken).ConfigureAwait(false);
                    buffer.AsSpan(total, filled - total).CopyTo(buffer);
                    filled -= total;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
        {
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static int ContentLength(ReadOnlySpan<byte> head)
    {
        for (var line = 0; line < head.Length;)
        {
            var end = head[line..].IndexOf("\r\n"u8);
            if (end < 0)
            {
                break;
            }
            var current = head.Slice(line, end);
            if (current.Length > 15 && System.Text.Ascii.EqualsIgnoreCase(current[..15], "content-length:"u8)
                && int.TryParse(Encoding.ASCII.GetString(current[15..]).Trim(), out var length))
            {
                return length;
            }
            line += end + 2;
        }
        return 0;
    }
}
