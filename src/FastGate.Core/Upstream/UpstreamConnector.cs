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
        var socket = NewSocket();
        RawSocketStream? rawStream = null;
        try
        {
            if (endpoint.Transport == TransportKind.Epoll)
            {
                (socket, rawStream) = await ConnectOnEpollAsync(socket, endpoint, timeout.Token).ConfigureAwait(false);
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
        return new UpstreamRent(new UpstreamConnection(socket, stream, endpoint.Pool, rawStream?.Loop), false, UpstreamFailure.None, null, connected, tlsDone);
    }

    /// <summary>
    /// Connected on an epoll loop, never registered with .NET's socket engine (whose thread would then wake for every
    /// event of the socket as well). Every resolved address in turn, as Socket.ConnectAsync(host, port) does
    /// ("localhost": ::1, then 127.0.0.1). Returns the socket that connected and its stream; each socket that failed
    /// was disposed by its stream, and the last failure is thrown. The connection lives on the loop of the client
    /// connection that asked for it (taken before any wait), so its request and response run on one thread.
    /// </summary>
    private static async ValueTask<(Socket, RawSocketStream)> ConnectOnEpollAsync(Socket socket, UpstreamEndpoint endpoint, CancellationToken cancellationToken)
    {
        var loop = EpollLoop.CurrentOrLeastLoaded();
        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        for (var i = 0; ; i++)
        {
            var address = addresses[i];
            if (address.AddressFamily == AddressFamily.InterNetwork && socket.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = address.MapToIPv6(); // a dual-mode socket (where the host has IPv6)
            }
            try
            {
                return (socket, await RawSocketStream.ConnectAsync(socket, new IPEndPoint(address, endpoint.Port), loop, cancellationToken).ConfigureAwait(false));
            }
            catch (SocketException) when (i + 1 < addresses.Length)
            {
                socket = NewSocket(); // the failed one was disposed
            }
        }
    }

    private static Socket NewSocket() => new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

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
