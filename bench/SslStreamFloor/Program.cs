// The least an SslStream-based proxy can do per request: read one TLS record from the client, write it to a kept-alive
// mutual-TLS upstream connection, read one record back, write it to the client. No HTTP parsing, routing, pooling,
// timeouts or logging, so it only works with a load that sends each request and each response in one record (the
// load generator and its test upstream with small bodies). Usage:
//   sslstream-floor LISTEN_PORT UPSTREAM_PORT CERTS_DIR   (certificates from `fastgate certs dev`)
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: sslstream-floor LISTEN_PORT UPSTREAM_PORT CERTS_DIR");
    return 2;
}
var listenPort = int.Parse(args[0]);
var upstream = new IPEndPoint(IPAddress.Loopback, int.Parse(args[1]));
var certs = args[2];
var serverCertificate = X509Certificate2.CreateFromPemFile(Path.Combine(certs, "server.crt"), Path.Combine(certs, "server.key"));
var serverContext = SslStreamCertificateContext.Create(serverCertificate, null);
var clientCertificate = X509Certificate2.CreateFromPemFile(Path.Combine(certs, "upstream-client.crt"), Path.Combine(certs, "upstream-client.key"));
var clientContext = SslStreamCertificateContext.Create(clientCertificate, null);
var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "ca.crt"));
var serverOptions = new SslServerAuthenticationOptions { ServerCertificateContext = serverContext };
var chainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
chainPolicy.CustomTrustStore.Add(ca);
var clientOptions = new SslClientAuthenticationOptions
{
    TargetHost = "upstream.test",
    ClientCertificateContext = clientContext,
    CertificateChainPolicy = chainPolicy,
};

using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, listenPort));
listener.Listen(4096);
while (true)
{
    var socket = await listener.AcceptAsync();
    _ = RelayAsync(socket);
}

async Task RelayAsync(Socket socket)
{
    socket.NoDelay = true;
    var buffer = new byte[16384];
    try
    {
        using var client = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await client.AuthenticateAsServerAsync(serverOptions);
        using var upstreamSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await upstreamSocket.ConnectAsync(upstream);
        using var server = new SslStream(new NetworkStream(upstreamSocket, ownsSocket: true));
        await server.AuthenticateAsClientAsync(clientOptions);
        while (true)
        {
            var read = await client.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }
            await server.WriteAsync(buffer.AsMemory(0, read));
            read = await server.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }
            await client.WriteAsync(buffer.AsMemory(0, read));
        }
    }
    catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
    {
        // the client or the upstream went away
    }
}
