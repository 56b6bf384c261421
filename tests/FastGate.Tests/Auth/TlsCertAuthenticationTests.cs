using System.Net;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Auth;

/// <summary>API Connect's tls-cert application authentication, end to end over mutual TLS.</summary>
public sealed class TlsCertAuthenticationTests : IAsyncLifetime
{
    private readonly TestPki _serverPki = new("Server CA");
    private readonly TestPki _clientPki = new("Client CA");
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;
    private IssuedCertificate _subscribed = null!;
    private IssuedCertificate _unsubscribed = null!;
    private IssuedCertificate _unregistered = null!;

    public Task InitializeAsync()
    {
        _subscribed = _clientPki.IssueClient("orders-app");
        _unsubscribed = _clientPki.IssueClient("other-app");
        _unregistered = _clientPki.IssueClient("stranger");
        _upstream = TestUpstream.Start(r => TestResponse.Text($"{r.Header("X-Client-Cert") ?? "-"}|{r.Header("X-Forwarded-Client-Cert") ?? "-"}"));

        var config = TestConfigs.TwoListeners(_serverPki.IssueServer("api.test"));
        config.Truststores["clients"] = new TruststoreConfig { Certificates = [_clientPki.CaFile] };
        config.TlsServerProfiles["default"].ClientCertificateMode = "request";
        config.TlsServerProfiles["default"].Truststore = "clients";
        config.Applications["orders-app"] = new ApplicationConfig
        {
            ClientId = "client-123",
            Certificates = [_subscribed.CertificateFile],
            Subscriptions = ["orders", "behind-lb", "no-client-id"],
        };
        config.Applications["other-app"] = new ApplicationConfig
        {
            ClientId = "client-456",
            Fingerprints = [Colons(_unsubscribed.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256))],
            Subscriptions = ["no-client-id"],
        };
        var orders = TestConfigs.Api("orders", "/orders", _upstream.HttpUrl);
        orders.Auth = new ApiAuthConfig { Type = "tls-cert", ClientIdHeader = "X-IBM-Client-ID" };
        config.Apis.Add(orders);
        var noClientId = TestConfigs.Api("no-client-id", "/simple", _upstream.HttpUrl);
        noClientId.Auth = new ApiAuthConfig { Type = "tls-cert" };
        config.Apis.Add(noClientId);
        var behindLb = TestConfigs.Api("behind-lb", "/lb", _upstream.HttpUrl);
        behindLb.Auth = new ApiAuthConfig
        {
            Type = "tls-cert",
            CertificateHeader = new CertificateHeaderConfig { Name = "X-Client-Cert", TrustedSources = ["127.0.0.0/8"] },
        };
        config.Apis.Add(behindLb);
        var untrustedLb = TestConfigs.Api("untrusted-lb", "/far-lb", _upstream.HttpUrl);
        untrustedLb.Auth = new ApiAuthConfig
        {
            Type = "tls-cert",
            CertificateHeader = new CertificateHeaderConfig { Name = "X-Client-Cert", TrustedSources = ["10.9.9.9"] },
        };
        config.Apis.Add(untrustedLb);
        config.Applications["orders-app"].Subscriptions.Add("untrusted-lb");
        config.Apis.Add(TestConfigs.Api("open", "/open", _upstream.HttpUrl));
        _gateway = GatewayHost.Start(config, _serverPki.Directory);
        return Task.CompletedTask;
    }

    private static string Colons(string hex) => string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _serverPki.Dispose();
        _clientPki.Dispose();
    }

    private async Task<TestHttpResponse> SendAsync(IssuedCertificate? certificate, string request)
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "api.test", _serverPki.Ca, certificate?.Certificate);
        await client.SendAsync(request);
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task SubscribedApplication_WithItsClientId_Gets200()
    {
        var response = await SendAsync(_subscribed, "GET /orders/1 HTTP/1.1\r\nHost: api.test\r\nX-IBM-Client-ID: client-123\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.Single(_upstream.Received);
    }

    [Theory]
    [InlineData(null, "client-123", 401, "A client certificate is required")]
    [InlineData("stranger", "client-123", 401, "does not identify a registered application")]
    [InlineData("other-app", "client-456", 403, "not subscribed")]
    [InlineData("orders-app", "client-456", 403, "does not belong to the application")]
    [InlineData("orders-app", null, 403, "client id header is missing")]
    public async Task RefusedRequests_GetApiConnectStyleJsonErrors_NothingForwarded(string? who, string? clientId, int status, string message)
    {
        var certificate = who switch { "orders-app" => _subscribed, "other-app" => _unsubscribed, "stranger" => _unregistered, _ => null };
        var header = clientId is null ? "" : $"X-IBM-Client-ID: {clientId}\r\n";
        var response = await SendAsync(certificate, $"GET /orders/1 HTTP/1.1\r\nHost: api.test\r\n{header}\r\n");
        Assert.Equal(status, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Contains($"\"httpCode\":\"{status}\"", response.BodyText);
        Assert.Contains(message, response.BodyText);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task FingerprintRegisteredApplication_WithoutClientIdRequirement_Gets200()
    {
        Assert.Equal(200, (await SendAsync(_unsubscribed, "GET /simple HTTP/1.1\r\nHost: api.test\r\n\r\n")).Status);
        Assert.Equal(401, (await SendAsync(_unregistered, "GET /simple HTTP/1.1\r\nHost: api.test\r\n\r\n")).Status);
        Assert.Equal(200, (await SendAsync(null, "GET /open HTTP/1.1\r\nHost: api.test\r\n\r\n")).Status);
    }

    [Fact]
    public async Task CertificateHeader_FromTrustedLoadBalancer_IdentifiesTheApplication()
    {
        var pem = WebUtility.UrlEncode(_subscribed.Certificate.ExportCertificatePem());
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync($"GET /lb/x HTTP/1.1\r\nHost: api.test\r\nX-Client-Cert: {pem}\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        // Another client behind the same load balancer connection: identified by its own header, not the cached one.
        var stranger = WebUtility.UrlEncode(_unregistered.Certificate.ExportCertificatePem());
        await client.SendAsync($"GET /lb/x HTTP/1.1\r\nHost: api.test\r\nX-Client-Cert: {stranger}\r\n\r\n");
        Assert.Equal(401, (await client.ReadResponseAsync()).Status);
        await client.SendAsync("GET /lb/x HTTP/1.1\r\nHost: api.test\r\nX-Client-Cert: not-a-certificate\r\n\r\n");
        Assert.Equal(401, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task CertificateHeader_FromUntrustedAddress_IsIgnoredAndRemoved()
    {
        var pem = WebUtility.UrlEncode(_subscribed.Certificate.ExportCertificatePem());
        await using var plain = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await plain.SendAsync($"GET /far-lb/x HTTP/1.1\r\nHost: api.test\r\nX-Client-Cert: {pem}\r\n\r\n");
        Assert.Equal(401, (await plain.ReadResponseAsync()).Status);

        // With its own valid certificate the request passes, and the spoofed header does not reach the upstream.
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "api.test", _serverPki.Ca, _subscribed.Certificate);
        var spoof = WebUtility.UrlEncode(_unregistered.Certificate.ExportCertificatePem());
        await client.SendAsync($"GET /far-lb/x HTTP/1.1\r\nHost: api.test\r\nX-Client-Cert: {spoof}\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.StartsWith("-|", response.BodyText);
        Assert.Null((await _upstream.NextRequestAsync()).Header("X-Client-Cert"));
    }
}
