using FastGate.Tests.Configuration;

namespace FastGate.Tests.Cli;

[Collection("Console")]
public sealed class CommandLineTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(outWriter);
        Console.SetError(errWriter);
        try
        {
            var exit = await FastGate.Program.Main(args);
            return (exit, outWriter.ToString(), errWriter.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public async Task Validate_ShippedConfig_Exit0()
    {
        var (exit, output, _) = await RunAsync("validate", "--config", Path.Combine(ConfigLoaderTests.FindRepositoryRoot(), "config", "fastgate.json"));
        Assert.Equal(0, exit);
        Assert.Contains("valid", output);
    }

    [Fact]
    public async Task Validate_BrokenConfig_Exit1WithEveryError()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bad.json");
        await File.WriteAllTextAsync(file, """{ "listeners": [ { "address": "nowhere" } ], "apis": [ { "name": "a", "listen_path": "x", "target_url": "http://u" } ] }""");
        var (exit, _, error) = await RunAsync("validate", "--config", file);
        Assert.Equal(1, exit);
        Assert.Contains($"{file}: $.listeners[0].address", error);
        Assert.Contains($"{file}: $.apis[0].listen_path", error);
    }

    [Fact]
    public async Task Explain_ShowsChosenCertificateAndKey()
    {
        using var pki = new FastGate.Tests.TestInfrastructure.TestPki();
        var client = pki.IssueClient("partner-client");
        var file = Path.Combine(pki.Directory, "explain.json");
        await File.WriteAllTextAsync(file, $$"""
        {
          "keystores": { "partner": { "certificate": "{{client.CertificateFile}}", "private_key": "{{client.KeyFile}}" } },
          "upstream_certificates": { "*.partner.test": "partner" },
          "listeners": [ { "address": "127.0.0.1:0" } ],
          "apis": [ { "name": "orders", "listen_path": "/", "target_url": "https://orders.partner.test/v1" } ]
        }
        """);
        var (exit, output, _) = await RunAsync("explain", "--config", file, "--api", "orders");
        Assert.Equal(0, exit);
        Assert.Contains("keystore 'partner': CN=partner-client", output);
        Assert.Contains("global key '*.partner.test'", output);

        (exit, output, _) = await RunAsync("explain", "--config", file, "--api", "orders", "https://a.orders.partner.test");
        Assert.Equal(0, exit);
        Assert.Contains("client certificate: none", output);
    }

    [Fact]
    public async Task Validate_UpstreamCertificateKeyWithScheme_SaysHowToWriteIt()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var file = Path.Combine(dir, "scheme.json");
        await File.WriteAllTextAsync(file, """
        {
          "keystores": { "k": { "certificate": "x.crt", "private_key": "x.key" } },
          "upstream_certificates": { "https://api.test": "k" },
          "listeners": [ { "address": "127.0.0.1:0" } ]
        }
        """);
        var (exit, _, error) = await RunAsync("validate", "--config", file);
        Assert.Equal(1, exit);
        Assert.Contains("$.upstream_certificates['https://api.test']: keys are host names without a scheme: write 'api.test'", error);
    }

    [Fact]
    public async Task CertsList_FlagsCertificateExpiringInFiveDays()
    {
        using var pki = new FastGate.Tests.TestInfrastructure.TestPki();
        var now = DateTimeOffset.UtcNow;
        var soon = pki.IssueClient("expires-soon", now.AddDays(-1), now.AddDays(5));
        var file = Path.Combine(pki.Directory, "list.json");
        await File.WriteAllTextAsync(file, $$"""
        {
          "keystores": { "soon": { "certificate": "{{soon.CertificateFile}}", "private_key": "{{soon.KeyFile}}" } },
          "truststores": { "ca": { "certificates": ["{{pki.CaFile}}"] } },
          "upstream_certificates": { "*": "soon" },
          "listeners": [ { "address": "127.0.0.1:0" } ],
          "apis": [ { "name": "up", "listen_path": "/", "target_url": "https://up.test" } ]
        }
        """);
        var (exit, output, _) = await RunAsync("certs", "list", "--config", file);
        Assert.Equal(0, exit);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("CN=expires-soon", StringComparison.Ordinal));
        Assert.Contains("ERROR <7d", line);
        Assert.Matches(@"^(4\.\d|5\.0)\s", line);
        Assert.Contains("upstream client for API 'up'", line);
        Assert.Contains(output.Split('\n'), l => l.Contains("truststore 'ca' CA", StringComparison.Ordinal) && l.Contains("ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CertsDev_Output_WorksForAMutualTlsRoundTripWithCurl()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "dev");
        Assert.Equal(0, (await RunAsync("certs", "dev", "--out", dir, "--hosts", "mtls.test")).Exit);
        await using var upstream = FastGate.Tests.TestInfrastructure.TestUpstream.Start(r => FastGate.Tests.TestInfrastructure.TestResponse.Text(r.Header("X-Forwarded-Client-Cert") ?? "none"));
        var config = new FastGate.Core.Configuration.GatewayConfig
        {
            Keystores = { ["server"] = new() { Certificate = Path.Combine(dir, "server.crt"), PrivateKey = Path.Combine(dir, "server.key") } },
            Truststores = { ["dev-ca"] = new() { Certificates = [Path.Combine(dir, "ca.crt")] } },
            TlsServerProfiles = { ["mtls"] = new() { Keystore = "server", ClientCertificateMode = "require", Truststore = "dev-ca" } },
            Listeners = { new() { Name = "https", Address = "127.0.0.1:0", Tls = new() { ServerProfile = "mtls" } } },
            Apis = { new() { Name = "a", ListenPath = "/", TargetUrl = upstream.HttpUrl, ForwardClientCertificate = true } },
        };
        config.AccessLog.Enabled = false;
        await using var gateway = FastGate.Tests.TestInfrastructure.GatewayHost.Start(config, dir);
        var port = gateway.Endpoint("https").Port;
        var (exit, output) = await FastGate.Tests.TestInfrastructure.ExternalTool.RunAsync("curl", "", "-sS", "--max-time", "10",
            "--cacert", Path.Combine(dir, "ca.crt"), "--cert", Path.Combine(dir, "client.crt"), "--key", Path.Combine(dir, "client.key"),
            "--resolve", $"mtls.test:{port}:127.0.0.1", $"https://mtls.test:{port}/");
        Assert.Equal(0, exit);
        Assert.Contains("Subject=\"CN=dev-consumer, O=FastGate Development\"", output);
    }

    [Fact]
    public async Task CertsDev_WritesUsableFiles()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "dev");
        var (exit, _, _) = await RunAsync("certs", "dev", "--out", dir, "--hosts", "a.test,b.test");
        Assert.Equal(0, exit);
        var server = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            Path.Combine(dir, "server.crt"), Path.Combine(dir, "server.key"));
        Assert.Equal("CN=a.test", server.Subject);
        Assert.True(server.HasPrivateKey);
        Assert.Contains("b.test", server.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }
}
