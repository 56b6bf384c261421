using System.Net.Sockets;
using System.Security.Authentication;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Transport;

public sealed class ListenerTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Ipv6Listener_ServesRequests()
    {
        Assert.True(Socket.OSSupportsIPv6, "IPv6 is not available on this machine; the IPv6 listener cannot be tested");
        await using var upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Listeners[1].Address = "[::1]:0";
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        var endpoint = gateway.Endpoint("http");
        Assert.Equal(AddressFamily.InterNetworkV6, endpoint.AddressFamily);

        await using var client = await TestClient.ConnectAsync(endpoint);
        await client.SendAsync("GET /v6 HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("::1", (await upstream.NextRequestAsync()).Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task ConnectionLimit_ExtraConnectionIsClosed_SlotFreedWhenOneEnds()
    {
        await using var upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Listeners[1].MaxConnections = 1;
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);

        var first = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await first.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);

        await using (var second = await TestClient.ConnectAsync(gateway.Endpoint("http")))
        {
            Assert.True(await second.IsClosedByServerAsync());
        }

        await first.DisposeAsync();
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.Listener("http").ActiveConnections == 0));
        await using var third = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await third.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await third.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls_BothVersionsNegotiated(SslProtocols protocol)
    {
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(gateway.Endpoint("https"));
        await using var ssl = new System.Net.Security.SslStream(new NetworkStream(socket));
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "gateway.test",
            EnabledSslProtocols = protocol,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        Assert.Equal(protocol, ssl.SslProtocol);
    }

    [Fact]
    public async Task Tls_PlaintextOnTlsPort_ConnectionClosedGatewayKeepsServing()
    {
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using (var plain = await TestClient.ConnectAsync(gateway.Endpoint("https")))
        {
            await plain.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.True(await plain.IsClosedByServerAsync());
        }
        await using var tls = await TestClient.ConnectAsync(gateway.Endpoint("https"), "gateway.test", _pki.Ca);
        await tls.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(404, (await tls.ReadResponseAsync()).Status);
    }
}
