// The least an SslStream-based proxy can do, measured beside FastGate and its peers (bench/e2e.sh and bench/ab.sh, as
// "SslStream floor"): TLS in (and a second listener that requires a client certificate chaining to the CA), mutual TLS
// out through a pool of kept-alive upstream connections, and per request one TLS record read from the client, written
// to the upstream, one record read back and written to the client. Idle connections wait with a zero-byte read and
// hold no buffer of their own, as FastGate's do; SslStream and OpenSSL keep what they keep by default (FastGate gives
// their buffers back, TlsIdleBuffers). No HTTP parsing, routing, timeouts, metrics or logs: it only works with loads
// that send each request and each response in one record (the load generator and its test upstream with bodies of up
// to a few KiB; not 16 KiB). Usage:
//   sslstream-floor TLS_PORT MTLS_PORT UPSTREAM_PORT CERTS_DIR   (certificates from `fastgate certs dev`)
using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: sslstream-floor TLS_PORT MTLS_PORT UPSTREAM_PORT CERTS_DIR");
    return 2;
}
var upstream = new IPEndPoint(IPAddress.Loopback, int.Parse(args[2]));
var certs = args[3];
var serverCertificate = X509Certificate2.CreateFromPemFile(Path.Combine(certs, "server.crt"), Path.Combine(certs, "server.key"));
var serverContext = SslStreamCertificateContext.Create(serverCertificate, null);
var clientCertificate = X509Certificate2.CreateFromPemFile(Path.Combine(certs, "upstream-client.crt"), Path.Combine(certs, "upstream-client.key"));
var clientContext = SslStreamCertificateContext.Create(clientCertificate, null);
var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "ca.crt"));

X509ChainPolicy TrustTheCa()
{
    var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
    policy.CustomTrustStore.Add(ca);
    return policy;
}

var tlsOptions = new SslServerAuthenticationOptions { ServerCertificateContext = serverContext };
var mtlsOptions = new SslServerAuthenticationOptions
{
    ServerCertificateContext = serverContext,
    ClientCertificateRequired = true,
    CertificateChainPolicy = TrustTheCa(),
    RemoteCertificateValidationCallback = static (_, certificate, _, errors) => certificate is not null && errors == SslPolicyErrors.None,
};
var upstreamOptions = new SslClientAuthenticationOptions
{
    TargetHost = "upstream.test",
    ClientCertificateContext = clientContext,
    CertificateChainPolicy = TrustTheCa(),
};

var idleUpstreams = new Stack<SslStream>(); // most recently used first, as FastGate's pool

var listeners = new[] { Listen(int.Parse(args[0]), tlsOptions), Listen(int.Parse(args[1]), mtlsOptions) };
await Task.WhenAll(listeners);
return 0;

async Task Listen(int port, SslServerAuthenticationOptions options)
{
    using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
    listener.Listen(4096);
    while (true)
    {
        var socket = await listener.AcceptAsync();
        _ = RelayAsync(socket, options);
    }
}

async Task RelayAsync(Socket socket, SslServerAuthenticationOptions options)
{
    socket.NoDelay = true;
    SslStream? server = null;
    try
    {
        using var client = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await client.AuthenticateAsServerAsync(options);
        while (true)
        {
            _ = await client.ReadAsync(Memory<byte>.Empty); // idle: no buffer held
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var read = await client.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }
                lock (idleUpstreams)
                {
                    idleUpstreams.TryPop(out server);
                }
                server ??= await ConnectUpstreamAsync();
                await server.WriteAsync(buffer.AsMemory(0, read));
                read = await server.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }
                lock (idleUpstreams)
                {
                    idleUpstreams.Push(server);
                }
                server = null;
                await client.WriteAsync(buffer.AsMemory(0, read));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
    catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
    {
        // the client or the upstream went away
    }
    finally
    {
        server?.Dispose(); // one that failed mid-exchange
    }
}

async Task<SslStream> ConnectUpstreamAsync()
{
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(upstream);
    var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
    await stream.AuthenticateAsClientAsync(upstreamOptions);
    return stream;
}
