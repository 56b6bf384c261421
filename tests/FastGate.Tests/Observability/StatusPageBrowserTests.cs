using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Observability;

/// <summary>The status page in a real headless browser (Debian's chromium, installed by .ci/run); the screenshot is kept as an artifact.</summary>
public sealed class StatusPageBrowserTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task StatusPage_RendersCertificatesWithExpiryFlaggedRed()
    {
        var now = DateTimeOffset.UtcNow;
        var soon = _pki.IssueClient("expires-in-3-days", now.AddDays(-1), now.AddDays(3));
        await using var upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Admin = new AdminConfig { Address = "127.0.0.1:0" };
        config.Keystores["soon"] = new KeystoreConfig { Certificate = soon.CertificateFile, PrivateKey = soon.KeyFile };
        config.Truststores["ca"] = new TruststoreConfig { Certificates = [_pki.CaFile] };
        config.Apis.Add(TestConfigs.Api("orders", "/orders", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using (var client = await TestClient.ConnectAsync(gateway.Endpoint("http")))
        {
            await client.SendAsync("GET /orders/1 HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        var url = $"http://127.0.0.1:{gateway.Endpoint("admin").Port}/";
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        var screenshot = Path.Combine(artifacts, "status-page.png");
        File.Delete(screenshot);
        string[] browser = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            $"--user-data-dir={Path.Combine(_pki.Directory, "chromium")}", "--virtual-time-budget=4000"];
        var (domExit, dom) = await ExternalTool.RunAsync("chromium", "", [.. browser, "--dump-dom", url]);
        Assert.Equal(0, domExit);
        Assert.Contains("<tr class=\"red\">", dom);
        Assert.Contains("CN=expires-in-3-days", dom);
        Assert.Contains("CN=gateway.test", dom);
        Assert.Contains("orders", dom);
        Assert.Contains(">ready<", dom);

        var (shotExit, _) = await ExternalTool.RunAsync("chromium", "", [.. browser, "--window-size=1300,1500", $"--screenshot={screenshot}", url]);
        Assert.Equal(0, shotExit);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is (nearly) empty");
    }
}
