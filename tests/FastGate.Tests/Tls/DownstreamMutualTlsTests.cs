using System.Security.Cryptography.X509Certificates;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Tls;

/// <summary>
/// Client certificates against TLS server profiles with modes require / request / none on one listener, chosen by
/// SNI: every kind of bad certificate is refused, good ones (also via an intermediate) are accepted.
/// </summary>
public sealed class DownstreamMutualTlsTests : IAsyncLifetime
{
    private readonly TestPki _serverPki = new("Server CA");
    private readonly TestPki _clientPki = new("Client Root CA");
    private readonly TestPki _foreignPki = new("Foreign CA");
    private readonly Dictionary<string, (X509Certificate2? Certificate, X509Certificate2Collection? Chain)> _clients = [];
    private readonly CapturingLoggerFactory _logs = new();
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var intermediate = _clientPki.IssueIntermediate("Client Issuing CA");
        var revoked = _clientPki.IssueClient("revoked");
        _clients["good"] = (_clientPki.IssueClient("good").Certificate, null);
        _clients["via-intermediate"] = (_clientPki.IssueClient("via-intermediate", now.AddHours(-1), now.AddDays(5), issuer: intermediate).Certificate,
            [intermediate.Certificate]);
        _clients["expired"] = (_clientPki.IssueClient("expired", now.AddDays(-10), now.AddDays(-1)).Certificate, null);
        _clients["not-yet-valid"] = (_clientPki.IssueClient("not-yet-valid", now.AddDays(1), now.AddDays(10)).Certificate, null);
        _clients["wrong-usage"] = (_clientPki.IssueClient("wrong-usage", now.AddHours(-1), now.AddDays(5), usage: "1.3.6.1.5.5.7.3.1").Certificate, null);
        _clients["revoked"] = (revoked.Certificate, null);
        _clients["foreign"] = (_foreignPki.IssueClient("foreign").Certificate, null);
        _clients["none"] = (null, null);

        _upstream = TestUpstream.Start(r => TestResponse.Text(r.Header("X-Forwarded-Client-Cert") ?? "no identity"));
        var config = TestConfigs.TwoListeners(_serverPki.IssueServer("www.test", "www.test", "partner.test", "optional.test"));
        config.Truststores["clients"] = new TruststoreConfig { Certificates = [_clientPki.CaFile], Crls = [_clientPki.WriteCrl(revoked.Certificate)] };
        config.TlsServerProfiles["partner"] = new TlsServerProfileConfig { Keystore = "server", ClientCertificateMode = "require", Truststore = "clients" };
        config.TlsServerProfiles["optional"] = new TlsServerProfileConfig { Keystore = "server", ClientCertificateMode = "request", Truststore = "clients" };
        config.Listeners[0].Tls!.Sni["partner.test"] = "partner";
        config.Listeners[0].Tls!.Sni["optional.test"] = "optional";
        var api = TestConfigs.Api("echo", "/", _upstream.HttpUrl);
        api.ForwardClientCertificate = true;
        config.Apis.Add(api);
        _gateway = GatewayHost.Start(config, _serverPki.Directory, _logs);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _serverPki.Dispose();
        _clientPki.Dispose();
        _foreignPki.Dispose();
    }

    /// <summary>The response body (the XFCC the upstream saw), or null when the handshake or the connection was refused.</summary>
    private async Task<string?> RequestAsync(string host, string client)
    {
        var (certificate, chain) = _clients[client];
        try
        {
            await using var connection = await TestClient.ConnectAsync(_gateway.Endpoint("https"), host, _serverPki.Ca, certificate, chain);
            await connection.SendAsync($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
            var response = await connection.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            return response.BodyText;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or EndOfStreamException)
        {
            return null; // TLS 1.3 reports a refused client certificate on the first read, TLS 1.2 in the handshake
        }
    }

    [Theory]
    [InlineData("good", true)]
    [InlineData("via-intermediate", true)]
    [InlineData("expired", false)]
    [InlineData("not-yet-valid", false)]
    [InlineData("wrong-usage", false)]
    [InlineData("revoked", false)]
    [InlineData("foreign", false)]
    [InlineData("none", false)]
    public async Task RequireMode_OnlyValidCertificatesGetThrough(string client, bool accepted)
    {
        var body = await RequestAsync("partner.test", client);
        Assert.Equal(accepted, body is not null);
        if (accepted)
        {
            Assert.Contains($"Subject=\"CN={client}\"", body);
            Assert.StartsWith("Hash=", body);
        }
    }

    [Theory]
    [InlineData("expired", "client certificate 'CN=expired' expired on")]
    [InlineData("not-yet-valid", "client certificate 'CN=not-yet-valid' is not valid before")]
    [InlineData("wrong-usage", "is not valid for client authentication")]
    [InlineData("revoked", "(serial")]
    [InlineData("foreign", "does not chain to truststore 'clients'")]
    [InlineData("none", "no client certificate was sent (mode require)")]
    public async Task RefusedHandshake_LogNamesReasonAndPeer(string client, string reason)
    {
        Assert.Null(await RequestAsync("partner.test", client));
        Assert.True(await _logs.ContainsAsync(reason), string.Join("\n", _logs.Lines));
        Assert.Contains(_logs.Lines, l => l.Contains(reason, StringComparison.Ordinal) && l.Contains("from 127.0.0.1:", StringComparison.Ordinal));
        if (client == "revoked")
        {
            Assert.Contains(_logs.Lines, l => l.Contains("'CN=revoked'", StringComparison.Ordinal) && l.Contains("is revoked by", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("good", true)]
    [InlineData("via-intermediate", true)]
    [InlineData("none", true)]
    [InlineData("expired", false)]
    [InlineData("revoked", false)]
    [InlineData("foreign", false)]
    [InlineData("wrong-usage", false)]
    public async Task RequestMode_NoCertificateProceedsWithoutIdentity_InvalidOnesRefused(string client, bool accepted)
    {
        var body = await RequestAsync("optional.test", client);
        Assert.Equal(accepted, body is not null);
        if (client == "none")
        {
            Assert.Equal("no identity", body);
        }
        else if (accepted)
        {
            Assert.Contains($"CN={client}", body);
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("foreign")]
    [InlineData("expired")]
    public async Task NoneMode_OnTheSameListener_NoCertificateAsked(string client)
    {
        Assert.Equal("no identity", await RequestAsync("www.test", client));
    }

    [Fact]
    public async Task SniOfLenientHost_HostOfMutualTlsHost_Gets421AndNothingForwarded()
    {
        await using var connection = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "www.test", _serverPki.Ca);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: partner.test\r\n\r\n");
        var response = await connection.ReadResponseAsync();
        Assert.Equal(421, response.Status);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: partner.test:443\r\n\r\n");
        Assert.Equal(421, (await connection.ReadResponseAsync()).Status);
        Assert.Empty(_upstream.Received);

        // The same connection may still ask for hosts of its own policy.
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: www.test\r\n\r\n");
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task SpoofedXfccFromClient_IsReplaced()
    {
        var (certificate, _) = _clients["good"];
        await using var connection = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "partner.test", _serverPki.Ca, certificate);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: partner.test\r\nX-Forwarded-Client-Cert: Hash=evil;Subject=\"CN=admin\"\r\n\r\n");
        var body = (await connection.ReadResponseAsync()).BodyText;
        Assert.DoesNotContain("evil", body);
        Assert.Contains("Subject=\"CN=good\"", body);
        var received = await _upstream.NextRequestAsync();
        Assert.Single(received.HeaderNames, n => n.Equals("X-Forwarded-Client-Cert", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OpenSslClient_SeesTruststoreCaNamesAndCompletesWithCertificate()
    {
        var good = _clientPki.IssueClient("openssl-client");
        var (exit, output) = await ExternalTool.RunAsync("openssl", "GET / HTTP/1.1\r\nHost: partner.test\r\nConnection: close\r\n\r\n",
            "s_client", "-connect", $"127.0.0.1:{_gateway.Endpoint("https").Port}", "-servername", "partner.test",
            "-CAfile", _serverPki.CaFile, "-cert", good.CertificateFile, "-key", good.KeyFile, "-ign_eof");
        Assert.Contains("Acceptable client certificate CA names", output);
        Assert.Contains("CN = Client Root CA", output);
        Assert.Contains("Verify return code: 0 (ok)", output);
        Assert.Contains("HTTP/1.1 200 OK", output);
        Assert.Contains("Subject=\"CN=openssl-client\"", output);
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Curl_WithCertAndKey_Succeeds_WithoutCertificate_Fails()
    {
        var good = _clientPki.IssueClient("curl-client");
        var port = _gateway.Endpoint("https").Port;
        string[] common = ["-sS", "--max-time", "10", "--cacert", _serverPki.CaFile, "--resolve", $"partner.test:{port}:127.0.0.1"];
        var (exit, output) = await ExternalTool.RunAsync("curl", "", [.. common, "--cert", good.CertificateFile, "--key", good.KeyFile, $"https://partner.test:{port}/hello"]);
        Assert.Equal(0, exit);
        Assert.Contains("Subject=\"CN=curl-client\"", output);

        (exit, _) = await ExternalTool.RunAsync("curl", "", [.. common, $"https://partner.test:{port}/hello"]);
        Assert.NotEqual(0, exit);
    }
}
