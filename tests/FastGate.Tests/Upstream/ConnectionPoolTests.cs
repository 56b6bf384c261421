using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Upstream;

public sealed class ConnectionPoolTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task IdleTimeout_IdleConnectionsAreClosed()
    {
        await using var upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.UpstreamPool.IdleTimeoutSeconds = 0.2;
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var pool = Assert.Single(gateway.Gateway.Pools.Pools);
        Assert.Equal(1, pool.OpenCount);

        Assert.True(await Eventually.TrueAsync(() => pool.OpenCount == 0), "the idle connection was not closed");
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(2, upstream.ConnectionCount);
    }

    [Fact]
    public async Task MaxConnectionsPerEndpoint_RequestBeyondIt_Gets503()
    {
        await using var upstream = TestUpstream.StartHolding(r => r.Target == "/slow", _ => TestResponse.Text("done"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.UpstreamPool.MaxConnectionsPerEndpoint = 1;
        config.UpstreamPool.WaitTimeoutSeconds = 0.2;
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);

        await using var slow = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await slow.SendAsync("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
        await upstream.NextRequestAsync(); // the only connection is now busy

        await using var other = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await other.SendAsync("GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
        var rejected = await other.ReadResponseAsync();
        Assert.Equal(503, rejected.Status);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: overflow", rejected.BodyText);

        upstream.ReleaseHeld();
        Assert.Equal(200, (await slow.ReadResponseAsync()).Status);
        await other.SendAsync("GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await other.ReadResponseAsync()).Status);
        Assert.Equal(1, upstream.ConnectionCount);
    }

    [Fact]
    public async Task MaxConnectionsPerEndpoint_WaitingRequest_GetsTheReturnedConnection()
    {
        await using var upstream = TestUpstream.StartHolding(r => r.Target == "/slow");
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.UpstreamPool.MaxConnectionsPerEndpoint = 1;
        config.UpstreamPool.WaitTimeoutSeconds = 10;
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);

        await using var slow = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await slow.SendAsync("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
        await upstream.NextRequestAsync();
        await using var waiting = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await waiting.SendAsync("GET /waited HTTP/1.1\r\nHost: a\r\n\r\n");
        var pool = Assert.Single(gateway.Gateway.Pools.Pools);
        upstream.ReleaseHeld();

        Assert.Equal("/slow", (await slow.ReadResponseAsync()).BodyText);
        Assert.Equal("/waited", (await waiting.ReadResponseAsync()).BodyText);
        Assert.Equal(1, upstream.ConnectionCount);
        Assert.Equal(1, pool.ReusedCount);
    }

    [Fact]
    public async Task UpstreamKeepAliveTimeout_ShorterThanPoolIdle_ConnectionRetiredEarlier()
    {
        await using var upstream = TestUpstream.Start(r => TestResponse.Text(r.Target, extraHeaders: "Keep-Alive: timeout=2, max=100\r\n"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.UpstreamPool.IdleTimeoutSeconds = 60;
        config.Apis.Add(TestConfigs.Api("a", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Null(response.Header("Keep-Alive")); // hop-by-hop: not relayed
        var pool = Assert.Single(gateway.Gateway.Pools.Pools);
        Assert.True(await Eventually.TrueAsync(() => pool.IdleCount == 1), "the connection never went back to the pool");
        // Retired within the upstream's 2 s (we stop at 1 s), long before the pool's 60 s.
        Assert.True(await Eventually.TrueAsync(() => pool.OpenCount == 0, TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public async Task UpstreamResponseTimeout_Gets504()
    {
        await using var upstream = TestUpstream.StartHolding(_ => true, _ => TestResponse.Text("late"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Limits.UpstreamResponseTimeoutSeconds = 30;
        var api = TestConfigs.Api("a", "/", upstream.HttpUrl);
        api.UpstreamTimeoutSeconds = 0.3; // the API's own timeout wins over the global one
        config.Apis.Add(api);
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        upstream.ReleaseHeld();
        Assert.Equal(504, response.Status);
        Assert.Equal("upstream request timeout", response.BodyText);
    }
}
