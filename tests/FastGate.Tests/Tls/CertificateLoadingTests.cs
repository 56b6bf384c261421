using FastGate.Core.Configuration;
using FastGate.Core.Proxy;
using FastGate.Core.Upstream;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Tls;

public sealed class CertificateLoadingTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private ConfigException BuildFails(GatewayConfig config)
    {
        var file = Path.Combine(_pki.Directory, "c.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(config, ConfigJsonContext.Default.GatewayConfig));
        var loaded = ConfigLoader.Load(file);
        using var pools = new UpstreamConnectionPool(Timeout.InfiniteTimeSpan);
        return Assert.Throws<ConfigException>(() => GatewaySnapshotBuilder.Build(loaded, pools));
    }

    [Fact]
    public void Build_KeyDoesNotMatchCertificate_ErrorNamesKeyFile()
    {
        var a = _pki.IssueServer("a.test");
        var b = _pki.IssueServer("b.test");
        var config = TestConfigs.TwoListeners(a);
        config.Keystores["server"].PrivateKey = b.KeyFile;
        var error = Assert.Single(BuildFails(config).Errors);
        Assert.Equal("$.keystores['server']", error.JsonPath);
        Assert.Contains(b.KeyFile, error.Message);
    }

    [Fact]
    public void Build_CertificateFileIsNotPem_ErrorNamesFileAndReason()
    {
        var a = _pki.IssueServer("a.test");
        var garbage = _pki.Write("garbage.crt", "this is not a certificate");
        var config = TestConfigs.TwoListeners(a);
        config.Keystores["server"].Certificate = garbage;
        config.Truststores["t"] = new TruststoreConfig { Certificates = [garbage] };
        var errors = BuildFails(config).Errors;
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.JsonPath == "$.keystores['server']" && e.Message.Contains(garbage));
        Assert.Contains(errors, e => e.JsonPath == "$.truststores['t'].certificates[0]" && e.Message.Contains("no PEM certificate"));
    }

    [Fact]
    public void Build_PfxWithWrongPassword_ErrorNamesFile()
    {
        var a = _pki.IssueServer("a.test");
        var pfx = Path.Combine(_pki.Directory, "server.pfx");
        File.WriteAllBytes(pfx, a.Certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "right"));
        var config = TestConfigs.TwoListeners(a);
        config.Keystores["server"] = new KeystoreConfig { Pfx = pfx, Password = "wrong" };
        var error = Assert.Single(BuildFails(config).Errors);
        Assert.Contains(pfx, error.Message);
        Assert.Contains("password", error.Message);
    }

    [Fact]
    public void Build_CrlSignedByAnotherCa_IsRefused()
    {
        using var other = new TestPki("Other CA");
        var config = TestConfigs.TwoListeners(_pki.IssueServer("a.test"));
        config.Truststores["t"] = new TruststoreConfig { Certificates = [_pki.CaFile], Crls = [other.WriteCrl()] };
        var error = Assert.Single(BuildFails(config).Errors);
        Assert.Equal("$.truststores['t'].crls[0]", error.JsonPath);
        Assert.Contains("not signed by any CA certificate of its truststore", error.Message);
    }

    [Fact]
    public async Task Start_PfxKeystore_ServesItsCertificate()
    {
        var a = _pki.IssueServer("pfx.test");
        var pfx = Path.Combine(_pki.Directory, "server.pfx");
        File.WriteAllBytes(pfx, a.Certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "secret"));
        var config = TestConfigs.TwoListeners(a);
        config.Keystores["server"] = new KeystoreConfig { Pfx = pfx, Password = "secret" };
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("https"), "pfx.test", _pki.Ca);
        Assert.Equal("CN=pfx.test", client.Ssl!.RemoteCertificate!.Subject);
    }
}
