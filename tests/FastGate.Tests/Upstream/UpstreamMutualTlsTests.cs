using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Upstream;

/// <summary>
/// Two HTTPS upstreams that each require a client certificate from their own CA; the gateway must present the
/// certificate its upstream_certificates maps choose (the upstream answers with the subject it saw).
/// </summary>
public sealed class UpstreamMutualTlsTests : IAsyncLifetime
{
    private readonly TestPki _gatewayPki = new("Gateway CA");
    private readonly TestPki _pkiA = new("Upstream A CA");
    private readonly TestPki _pkiB = new("Upstream B CA");
    private TestUpstream _upstreamA = null!;
    private TestUpstream _upstreamB = null!;
    private IssuedCertificate _clientA = null!;
    private IssuedCertificate _clientA2 = null!;
    private IssuedCertificate _clientB = null!;

    public Task InitializeAsync()
    {
        _upstreamA = TestUpstream.StartMutualTls(_gatewayPki.IssueServer("localhost", "localhost").Certificate, _pkiA.Ca);
        _upstreamB = TestUpstream.StartMutualTls(_gatewayPki.IssueServer("localhost", "localhost").Certificate, _pkiB.Ca);
        _clientA = _pkiA.IssueClient("client-a");
        _clientA2 = _pkiA.IssueClient("client-a2");
        _clientB = _pkiB.IssueClient("client-b");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _upstreamA.DisposeAsync();
        await _upstreamB.DisposeAsync();
        _gatewayPki.Dispose();
        _pkiA.Dispose();
        _pkiB.Dispose();
    }

    private GatewayConfig BaseConfig()
    {
        var config = TestConfigs.TwoListeners(_gatewayPki.IssueServer("gateway.test"));
        config.Truststores["upstreams"] = new TruststoreConfig { Certificates = [_gatewayPki.CaFile] };
        config.TlsClientProfiles["upstream"] = new TlsClientProfileConfig { Truststore = "upstreams" };
        config.Keystores["client-a"] = new KeystoreConfig { Certificate = _clientA.CertificateFile, PrivateKey = _clientA.KeyFile };
        config.Keystores["client-a2"] = new KeystoreConfig { Certificate = _clientA2.CertificateFile, PrivateKey = _clientA2.KeyFile };
        config.Keystores["client-b"] = new KeystoreConfig { Certificate = _clientB.CertificateFile, PrivateKey = _clientB.KeyFile };
        return config;
    }

    private static ApiConfig Api(string name, string path, string target)
    {
        var api = TestConfigs.Api(name, path, target);
        api.TlsClientProfile = "upstream";
        return api;
    }

    private static async Task<TestHttpResponse> GetAsync(GatewayHost gateway, string path)
    {
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task GlobalMap_HostPortBeatsHost_EachUpstreamSeesItsCertificate()
    {
        var config = BaseConfig();
        config.UpstreamCertificates[$"localhost:{_upstreamA.Port}"] = "client-a";
        config.UpstreamCertificates["localhost"] = "client-b";
        config.Apis.Add(Api("a", "/a", $"https://localhost:{_upstreamA.Port}"));
        config.Apis.Add(Api("b", "/b", $"https://localhost:{_upstreamB.Port}"));
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);

        var a = await GetAsync(gateway, "/a");
        var b = await GetAsync(gateway, "/b");
        Assert.Equal((200, "CN=client-a"), (a.Status, a.BodyText));
        Assert.Equal((200, "CN=client-b"), (b.Status, b.BodyText));
    }

    [Fact]
    public async Task ApiLevelMap_WinsOverGlobal_DefaultKeyUsedOtherwise()
    {
        var config = BaseConfig();
        config.UpstreamCertificates[$"localhost:{_upstreamA.Port}"] = "client-a";
        config.UpstreamCertificates["*"] = "client-b";
        var own = Api("own", "/own", $"https://localhost:{_upstreamA.Port}");
        own.UpstreamCertificates["*"] = "client-a2";
        config.Apis.Add(own);
        config.Apis.Add(Api("global", "/global", $"https://localhost:{_upstreamA.Port}"));
        config.Apis.Add(Api("default", "/default", $"https://127.0.0.1:{_upstreamB.Port}"));
        config.TlsClientProfiles["upstream"].Sni = "localhost"; // the upstream certificate names localhost, the target is an IP
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);

        Assert.Equal("CN=client-a2", (await GetAsync(gateway, "/own")).BodyText);
        Assert.Equal("CN=client-a", (await GetAsync(gateway, "/global")).BodyText);
        Assert.Equal("CN=client-b", (await GetAsync(gateway, "/default")).BodyText);
    }

    [Fact]
    public void Snapshot_WildcardKeys_OneLevelOnly()
    {
        var config = BaseConfig();
        config.UpstreamCertificates["*.prod.test"] = "client-a";
        config.UpstreamCertificates["*"] = "client-b";
        config.Apis.Add(Api("one-level", "/1", "https://orders.prod.test"));
        config.Apis.Add(Api("two-levels", "/2", "https://eu.orders.prod.test"));
        config.Apis.Add(Api("bare", "/3", "https://prod.test"));
        var file = Path.Combine(_gatewayPki.Directory, "wild.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(config, ConfigJsonContext.Default.GatewayConfig));
        using var pools = new FastGate.Core.Upstream.UpstreamConnectionPool(Timeout.InfiniteTimeSpan);
        var snapshot = FastGate.Core.Proxy.GatewaySnapshotBuilder.Build(ConfigLoader.Load(file), pools);

        Assert.Equal("client-a", snapshot.Apis[0].Endpoint.ClientCertificate!.Name);
        Assert.Equal("client-b", snapshot.Apis[1].Endpoint.ClientCertificate!.Name);
        Assert.Equal("client-b", snapshot.Apis[2].Endpoint.ClientCertificate!.Name);
        Assert.Equal("global key '*.prod.test'", snapshot.Apis[0].CertificateReason);
        // Different client certificates never share pooled connections.
        Assert.NotEqual(snapshot.Apis[0].Endpoint.Key, snapshot.Apis[1].Endpoint.Key);
    }

    [Fact]
    public async Task UpstreamRequiresCertificate_NoneConfigured_Gets502WithTlsReasonWhenDetailed()
    {
        var config = BaseConfig();
        config.DetailedUpstreamErrors = true;
        config.Apis.Add(Api("a", "/", $"https://localhost:{_upstreamA.Port}"));
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);

        var response = await GetAsync(gateway, "/");
        Assert.Equal(502, response.Status);
        Assert.True(response.BodyText.StartsWith("upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error:", StringComparison.Ordinal), response.BodyText);
    }

    [Fact]
    public async Task UpstreamRequiresCertificate_NoneConfigured_DetailHiddenByDefault()
    {
        var config = BaseConfig();
        config.Apis.Add(Api("a", "/", $"https://localhost:{_upstreamA.Port}"));
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);

        var response = await GetAsync(gateway, "/");
        Assert.Equal(502, response.Status);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: connection failure", response.BodyText);
    }

    [Fact]
    public async Task KeepAlive_200RequestsOverMutualTls_UseOnePooledConnection()
    {
        var config = BaseConfig();
        config.UpstreamCertificates["localhost"] = "client-a";
        config.Apis.Add(Api("a", "/", $"https://localhost:{_upstreamA.Port}"));
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        for (var i = 0; i < 200; i++)
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("CN=client-a", (await client.ReadResponseAsync()).BodyText);
        }
        Assert.Equal(1, _upstreamA.ConnectionCount);
        var pool = Assert.Single(gateway.Gateway.Pools.Pools);
        Assert.Equal(1, pool.CreatedCount);
        Assert.Equal(199, pool.ReusedCount);
    }

    [Fact]
    public async Task UpstreamClosesIdleConnections_NoClientVisibleError()
    {
        var config = BaseConfig();
        config.UpstreamCertificates["localhost"] = "client-a";
        config.Apis.Add(Api("a", "/", $"https://localhost:{_upstreamA.Port}"));
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            _upstreamA.CloseAllConnections();
        }
        Assert.Equal(5, _upstreamA.ConnectionCount);
    }

    [Fact]
    public async Task KubernetesSecretDirectory_WorksAsKeystore()
    {
        var secret = Directory.CreateDirectory(Path.Combine(_gatewayPki.Directory, "secret-" + Guid.NewGuid().ToString("N"))).FullName;
        File.Copy(_clientB.CertificateFile, Path.Combine(secret, "tls.crt"));
        File.Copy(_clientB.KeyFile, Path.Combine(secret, "tls.key"));
        var config = BaseConfig();
        config.Keystores["from-secret"] = new KeystoreConfig { KubernetesSecret = secret };
        var api = Api("b", "/", $"https://localhost:{_upstreamB.Port}");
        api.UpstreamCertificates["localhost"] = "from-secret";
        config.Apis.Add(api);
        await using var gateway = GatewayHost.Start(config, _gatewayPki.Directory);

        Assert.Equal("CN=client-b", (await GetAsync(gateway, "/")).BodyText);
    }
}
