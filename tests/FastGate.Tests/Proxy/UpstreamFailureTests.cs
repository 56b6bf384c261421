using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Proxy;

public sealed class UpstreamFailureTests : IDisposable
{
    private const string EnvoyText = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task UnreachableUpstream_Gets502WithEnvoyText()
    {
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("down", "/", $"http://127.0.0.1:{Loopback.FreePort()}"));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("https"), "gateway.test", _pki.Ca);

        await client.SendAsync("GET /x HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(502, response.Status);
        Assert.Equal(EnvoyText, response.BodyText);

        // The client connection stays usable for the next request.
        await client.SendAsync("GET /y HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task UpstreamResetsBeforeResponse_Gets502()
    {
        await using var upstream = TestUpstream.Start(_ => TestResponse.Raw("", close: true));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("drops", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(502, response.Status);
        Assert.Equal(EnvoyText, response.BodyText);
    }

    [Fact]
    public async Task HttpsUpstream_TrustedThroughConfiguredCa_Works()
    {
        await using var upstream = TestUpstream.Start(tlsCertificate: _pki.IssueServer("localhost", "localhost").Certificate);
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Truststores["test-ca"] = new TruststoreConfig { Certificates = [_pki.CaFile] };
        config.TlsClientProfiles["upstream"] = new TlsClientProfileConfig { Truststore = "test-ca" };
        var api = TestConfigs.Api("secure", "/", $"https://localhost:{upstream.Port}/base");
        api.TlsClientProfile = "upstream";
        config.Apis.Add(api);
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync($"GET /r{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal($"/base/r{i}", response.BodyText);
        }
        Assert.Equal(1, upstream.ConnectionCount);
    }

    [Fact]
    public async Task HttpsUpstream_WithUntrustedCertificate_Gets502()
    {
        using var otherPki = new TestPki("Some Other CA");
        await using var upstream = TestUpstream.Start(tlsCertificate: otherPki.IssueServer("localhost", "localhost").Certificate);
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Truststores["test-ca"] = new TruststoreConfig { Certificates = [_pki.CaFile] };
        config.TlsClientProfiles["upstream"] = new TlsClientProfileConfig { Truststore = "test-ca" };
        var api = TestConfigs.Api("secure", "/", $"https://localhost:{upstream.Port}");
        api.TlsClientProfile = "upstream";
        config.Apis.Add(api);
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(502, response.Status);
        Assert.Equal(EnvoyText, response.BodyText);
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task HttpsUpstream_InsecureSkipVerify_AcceptsUntrustedCertificate()
    {
        using var otherPki = new TestPki("Some Other CA");
        await using var upstream = TestUpstream.Start(tlsCertificate: otherPki.IssueServer("localhost", "localhost").Certificate);
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.TlsClientProfiles["lab"] = new TlsClientProfileConfig { InsecureSkipVerify = true };
        var api = TestConfigs.Api("lab", "/", $"https://localhost:{upstream.Port}");
        api.TlsClientProfile = "lab";
        config.Apis.Add(api);
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    /// <summary>
    /// The keep-alive race the liveness probe cannot see: the upstream closes a pooled connection just as a request
    /// arrives on it (its idle timer fired), sending no response.
    /// </summary>
    private static TestUpstream ClosesFirstConnectionOnSecondRequest() => TestUpstream.Start(r =>
        r.ConnectionId == 1 && r.Target == "/two" ? TestResponse.Raw("", close: true) : TestResponse.Text(r.Target));

    [Theory]
    [InlineData("GET /two HTTP/1.1\r\nHost: a\r\n\r\n", 200, 3)]
    [InlineData("DELETE /two HTTP/1.1\r\nHost: a\r\n\r\n", 200, 3)]
    [InlineData("POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 502, 2)]
    [InlineData("POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", 502, 2)]
    public async Task ReusedConnectionClosedAsRequestArrives_RetriedOnlyWhenSafe(string request, int status, int upstreamSaw)
    {
        await using var upstream = ClosesFirstConnectionOnSecondRequest();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("racy", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        if (status == 200)
        {
            Assert.Equal("/two", response.BodyText);
        }
        Assert.Equal(upstreamSaw, upstream.Received.Count);
    }

    /// <summary>
    /// The upstream's idle timeout fires while the connection is pooled. A POST (not retryable) is sent only on a
    /// connection the liveness probe found open; a GET reuses a recently returned connection unprobed and, finding it
    /// closed, is sent again on a new one. Either way the client gets its answer.
    /// </summary>
    [Theory]
    [InlineData("GET /two HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")]
    public async Task PooledConnectionClosedByUpstream_RequestStillAnswered(string request)
    {
        await using var upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("flaky", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        upstream.CloseAllConnections();

        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("/two", response.BodyText);
        Assert.Equal(2, upstream.ConnectionCount);
    }
}
