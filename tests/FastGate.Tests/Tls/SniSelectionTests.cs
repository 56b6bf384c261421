using System.Security.Cryptography.X509Certificates;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Tls;

public sealed class SniSelectionTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private GatewayHost _gateway = null!;

    public Task InitializeAsync()
    {
        var fallback = _pki.IssueServer("default.test");
        var exact = _pki.IssueServer("api.example.test");
        var wildcard = _pki.IssueServer("wildcard.example.test", "*.example.test");
        var config = TestConfigs.TwoListeners(fallback);
        config.Keystores["exact"] = new KeystoreConfig { Certificate = exact.CertificateFile, PrivateKey = exact.KeyFile };
        config.Keystores["wildcard"] = new KeystoreConfig { Certificate = wildcard.CertificateFile, PrivateKey = wildcard.KeyFile };
        config.TlsServerProfiles["exact"] = new TlsServerProfileConfig { Keystore = "exact" };
        config.TlsServerProfiles["wildcard"] = new TlsServerProfileConfig { Keystore = "wildcard" };
        config.Listeners[0].Tls!.Sni["api.example.test"] = "exact";
        config.Listeners[0].Tls!.Sni["*.example.test"] = "wildcard";
        _gateway = GatewayHost.Start(config, _pki.Directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _pki.Dispose();
    }

    [Theory]
    [InlineData("api.example.test", "CN=api.example.test")]
    [InlineData("API.Example.TEST", "CN=api.example.test")]
    [InlineData("shop.example.test", "CN=wildcard.example.test")]
    [InlineData("a.b.example.test", "CN=default.test")]
    [InlineData("example.test", "CN=default.test")]
    [InlineData("unknown.test", "CN=default.test")]
    public async Task Handshake_ServerName_SelectsCertificate(string sni, string expectedSubject)
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), sni, _pki.Ca);
        var presented = Assert.IsType<X509Certificate2>(client.Ssl!.RemoteCertificate, exactMatch: false);
        Assert.Equal(expectedSubject, presented.Subject);
        Assert.Equal(System.Net.Security.SslApplicationProtocol.Http11, client.Ssl.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task Handshake_WithoutServerName_GetsDefaultCertificate()
    {
        // An empty TargetHost sends no SNI extension.
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "", _pki.Ca);
        var presented = Assert.IsType<X509Certificate2>(client.Ssl!.RemoteCertificate, exactMatch: false);
        Assert.Equal("CN=default.test", presented.Subject);
    }
}
