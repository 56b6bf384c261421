using System.Net.Sockets;
using FastGate.Core.Configuration;
using FastGate.Core.Transport;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Transport;

/// <summary>
/// The configuration's transport, end to end: a TLS client through the gateway to an upstream that requires a client
/// certificate, on each transport (the rest of the suite runs on "auto", which is epoll here); stopping the epoll
/// acceptor (connections in flight finish); and what the start-up log says.
/// </summary>
public sealed class TransportSelectionTests : IDisposable
{
    private readonly TestPki _pki = new("Transport CA");
    private readonly TestPki _upstreamClients = new("Upstream client CA");

    public void Dispose()
    {
        _pki.Dispose();
        _upstreamClients.Dispose();
    }

    [Theory]
    [InlineData("sockets", TransportKind.Sockets)]
    [InlineData("epoll", TransportKind.Epoll)]
    internal async Task EachTransport_ProxiesTlsToAMutualTlsUpstream_OnPooledConnections(string configured, TransportKind expected)
    {
        var client = _upstreamClients.IssueClient("gateway-client");
        // "localhost" resolves to ::1 first, where nothing listens: the connect moves on to 127.0.0.1.
        await using var upstream = TestUpstream.StartMutualTls(_pki.IssueServer("localhost", "localhost").Certificate, _upstreamClients.Ca);
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Transport = configured;
        config.Truststores["upstreams"] = new TruststoreConfig { Certificates = [_pki.CaFile] };
        config.TlsClientProfiles["upstream"] = new TlsClientProfileConfig { Truststore = "upstreams" };
        config.Keystores["client"] = new KeystoreConfig { Certificate = client.CertificateFile, PrivateKey = client.KeyFile };
        config.UpstreamCertificates["localhost"] = "client";
        var api = TestConfigs.Api("a", "/", $"https://localhost:{upstream.Port}");
        api.TlsClientProfile = "upstream";
        config.Apis.Add(api);
        var logs = new CapturingLoggerFactory();
        await using var gateway = GatewayHost.Start(config, _pki.Directory, logs);

        Assert.Equal(expected, gateway.Gateway.Listener("https").Transport);
        Assert.Equal(expected, gateway.Gateway.Pools.Transport);
        Assert.True(await logs.ContainsAsync(expected == TransportKind.Epoll ? "Transport: epoll" : "Transport: .NET sockets"));

        await using var tls = await TestClient.ConnectAsync(gateway.Endpoint("https"), "gateway.test", _pki.Ca);
        var body = new byte[100_000]; // more than one TLS record and more than one socket read each way
        Random.Shared.NextBytes(body);
        for (var i = 0; i < 3; i++)
        {
            await tls.SendAsync($"POST /echo/{i} HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: {body.Length}\r\n\r\n");
            await tls.SendAsync(body);
            var response = await tls.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("CN=gateway-client", response.BodyText); // the client certificate the upstream saw
            var seen = await upstream.NextRequestAsync();
            Assert.Equal($"/echo/{i}", seen.Target);
            Assert.Equal(body, seen.DecodedBody);
        }
        Assert.Equal(1, upstream.ConnectionCount); // one upstream connection, reused
    }

    [Fact]
    public async Task EpollListener_StopAccepting_NewConnectionsRefused_OpenOnesStillServed()
    {
        await using var upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Transport = "epoll";
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        var listener = gateway.Gateway.Listener("http");
        var endpoint = gateway.Endpoint("http");

        await using var open = await TestClient.ConnectAsync(endpoint);
        await open.SendAsync("GET /before HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await open.ReadResponseAsync()).Status);

        await listener.StopAcceptingAsync();
        // Refused. A process another test forks at that moment holds a copy of the listening socket until its exec, so
        // a connect in that window may meet the socket (and a reset when the copy closes): connect again until refused.
        var outcomes = new List<string>();
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await late.ConnectAsync(endpoint);
                outcomes.Add("connected");
                return false;
            }
            catch (SocketException e)
            {
                outcomes.Add(e.SocketErrorCode.ToString());
                return e.SocketErrorCode == SocketError.ConnectionRefused;
            }
        }), string.Join(", ", outcomes));

        // The open connection is served its next request, then closed (the listener is stopping).
        await open.SendAsync("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await open.ReadResponseAsync()).Status);
        Assert.True(await open.IsClosedByServerAsync());
        Assert.True(await Eventually.TrueAsync(() => listener.ActiveConnections == 0));
    }
}
