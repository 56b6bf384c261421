using FastGate.Core.Tls;
using FastGate.Core.Transport;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace FastGate.Core.Upstream;

/// <summary>Dials an upstream: TCP (NoDelay) within the connect timeout, then the client TLS handshake when the target is https.</summary>
internal static class UpstreamConnector
{
    public static async ValueTask<UpstreamRent> ConnectAsync(UpstreamEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RawSocketStream? rawStream = null;
        try
        {
            if (EpollLoop.Enabled)
            {
                // EXPERIMENT: connected on FastGate's own loop; .NET's ConnectAsync would register the socket with
                // .NET's epoll thread, which would then wake for every event of the raw stream too.
                // Every address in turn, as Socket.ConnectAsync(host, port) does ("localhost": ::1, then 127.0.0.1).
                IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out var literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(endpoint.Host, timeout.Token).ConfigureAwait(false);
                for (var i = 0; ; i++)
                {
                    var address = addresses[i];
                    if (socket.AddressFamily == AddressFamily.InterNetworkV6 && address.AddressFamily == AddressFamily.InterNetwork)
                    {
                        address = address.MapToIPv6();
                    }
                    try
                    {
                        rawStream = await RawSocketStream.ConnectAsync(socket, new IPEndPoint(address, endpoint.Port), timeout.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (SocketException) when (i + 1 < addresses.Length)
                    {
                        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }; // the failed one was disposed
                    }
                }
            }
            else
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return new UpstreamRent(null, false, UpstreamFailure.ConnectTimeout, $"connect timeout after {endpoint.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return new UpstreamRent(null, false, UpstreamFailure.ConnectFailed, e.SocketErrorCode.ToString());
        }

        var connected = System.Diagnostics.Stopwatch.GetTimestamp();
        long tlsDone = 0;
        Stream stream = rawStream ?? (Stream)new SocketStream(socket, ownsSocket: true);
        if (endpoint.TlsOptions is { } tlsOptions)
        {
            var ssl = new TrackingSslStream(stream);
            try
            {
                await ssl.AuthenticateAsClientAsync(tlsOptions, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                var reason = e is OperationCanceledException ? "TLS error: handshake timeout" : "TLS error: " + TlsErrorText(e);
                if (ssl.ClientCertificateRequested && endpoint.ClientCertificate is null)
                {
                    reason += " (the upstream requested a client certificate and upstream_certificates has none for this target)";
                }
                return new UpstreamRent(null, false, UpstreamFailure.TlsFailed, reason);
            }
            stream = ssl;
            tlsDone = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        endpoint.Pool.Created();
        return new UpstreamRent(new UpstreamConnection(socket, stream, endpoint.Pool), false, UpstreamFailure.None, null, connected, tlsDone);
    }

    private static string TlsErrorText(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message += ": " + inner.Message;
        }
        return message;
    }
}
