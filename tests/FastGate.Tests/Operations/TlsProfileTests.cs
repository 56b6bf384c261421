using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Operations;

/// <summary>A real client (openssl s_client) negotiates exactly what a TLS server profile allows and is refused otherwise.</summary>
public sealed class TlsProfileTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private GatewayHost _gateway = null!;

    public Task InitializeAsync()
    {
        var config = TestConfigs.TwoListeners(_pki.IssueServer("tls12.test", "tls12.test", "tls13.test"));
        config.TlsServerProfiles["only12"] = new TlsServerProfileConfig
        {
            Keystore = "server",
            Protocols = ["1.2"],
            CipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
        };
        config.TlsServerProfiles["only13"] = new TlsServerProfileConfig
        {
            Keystore = "server",
            Protocols = ["1.3"],
            CipherSuites = ["TLS_AES_256_GCM_SHA384"],
        };
        config.Listeners[0].Tls!.Sni["tls12.test"] = "only12";
        config.Listeners[0].Tls!.Sni["tls13.test"] = "only13";
        _gateway = GatewayHost.Start(config, _pki.Directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _pki.Dispose();
    }

    private async Task<string> OpenSslAsync(string sni, params string[] options)
    {
        var (_, output) = await ExternalTool.RunAsync("openssl", "", ["s_client", "-connect", $"127.0.0.1:{_gateway.Endpoint("https").Port}",
            "-servername", sni, "-CAfile", _pki.CaFile, .. options]);
        return output;
    }

    [Theory]
    [InlineData("tls12.test", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256")]
    [InlineData("tls13.test", "-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384", "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384")]
    public async Task AllowedVersionAndCipher_Negotiated(string sni, string version, string cipherOption, string cipher, string expected)
    {
        var output = await OpenSslAsync(sni, version, cipherOption, cipher);
        Assert.Contains(expected, output);
    }

    [Theory]
    [InlineData("tls12.test", "-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384")]
    [InlineData("tls12.test", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384")]
    [InlineData("tls13.test", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")]
    [InlineData("tls13.test", "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256")]
    public async Task OtherVersionOrCipher_Refused(string sni, string version, string cipherOption, string cipher)
    {
        var output = await OpenSslAsync(sni, version, cipherOption, cipher);
        Assert.DoesNotContain("New, TLSv1", output);
        Assert.Contains("Cipher is (NONE)", output);
    }

    [Fact]
    public async Task Tls12Session_IsResumed()
    {
        var output = await OpenSslAsync("default.test", "-tls1_2", "-reconnect");
        Assert.Contains("Reused, TLSv1.2", output);
    }

    [Fact]
    public void LegacyVersion_WithoutExplicitPermission_IsAConfigError()
    {
        var file = Path.Combine(_pki.Directory, "legacy.json");
        File.WriteAllText(file, """
        { "keystores": { "k": { "certificate": "x", "private_key": "y" } },
          "tls_server_profiles": { "old": { "keystore": "k", "protocols": ["1.0", "1.2"] } },
          "listeners": [ { "address": "127.0.0.1:0" } ] }
        """);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file));
        Assert.Contains(e.Errors, x => x.JsonPath == "$.tls_server_profiles['old'].protocols[0]" && x.Message.Contains("allow_legacy_protocols"));
    }
}
