using System.Security.Cryptography.X509Certificates;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Operations;

/// <summary>Configuration and certificate changes without a restart and without dropping a connection.</summary>
public sealed class HotReloadTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private readonly CapturingLoggerFactory _logs = new();
    private TestUpstream _upstream = null!;
    private GatewayConfig _config = null!;
    private GatewayHost _gateway = null!;
    private string _certFile = null!;
    private string _keyFile = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Start();
        var first = _pki.IssueServer("first.test", "gateway.test");
        _certFile = Path.Combine(_pki.Directory, "live-server.crt");
        _keyFile = Path.Combine(_pki.Directory, "live-server.key");
        File.Copy(first.CertificateFile, _certFile);
        File.Copy(first.KeyFile, _keyFile);
        _config = TestConfigs.TwoListeners(first);
        _config.Keystores["server"] = new KeystoreConfig { Certificate = _certFile, PrivateKey = _keyFile };
        _config.Reload.WatchIntervalSeconds = 0.1;
        _config.Apis.Add(TestConfigs.Api("a", "/a", _upstream.HttpUrl));
        _gateway = GatewayHost.Start(_config, _pki.Directory, _logs);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _pki.Dispose();
    }

    private static void Replace(string target, string source)
    {
        var temporary = target + ".tmp";
        File.Copy(source, temporary, overwrite: true);
        File.Move(temporary, target, overwrite: true); // atomic, as deploy tools and editors do
    }

    private async Task<string> SubjectOfNewHandshakeAsync()
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "gateway.test", _pki.Ca);
        return client.Ssl!.RemoteCertificate!.Subject;
    }

    [Fact]
    public async Task ServerCertificateReplaced_OldConnectionKeepsWorking_NewHandshakeGetsNewCertificate()
    {
        await using var held = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "gateway.test", _pki.Ca);
        await held.SendAsync("GET /a/1 HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        Assert.Equal(200, (await held.ReadResponseAsync()).Status);
        Assert.Equal("CN=first.test", held.Ssl!.RemoteCertificate!.Subject);

        var second = _pki.IssueServer("second.test", "gateway.test");
        Replace(_keyFile, second.KeyFile);
        Replace(_certFile, second.CertificateFile);
        Assert.True(await Eventually.TrueAsync(async () => await SubjectOfNewHandshakeAsync() == "CN=second.test"), "no new certificate after the files changed");

        // The connection made before the change keeps working on its handshake.
        for (var i = 2; i < 5; i++)
        {
            await held.SendAsync($"GET /a/{i} HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
            Assert.Equal(200, (await held.ReadResponseAsync()).Status);
        }
        Assert.Equal("CN=first.test", held.Ssl!.RemoteCertificate!.Subject);
        Assert.Equal(0, _gateway.Gateway.ReloadFailureCount);
    }

    [Fact]
    public async Task Reload_RequestInFlight_FinishesOnTheOldSnapshot()
    {
        await using var slow = TestUpstream.StartHolding(_ => true, _ => TestResponse.Text("old route"));
        _config.Apis.Add(TestConfigs.Api("slow", "/slow", slow.HttpUrl));
        _gateway.Rewrite(_config);
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ReloadCount == 1));
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "gateway.test", _pki.Ca);
        await client.SendAsync("GET /slow HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        await slow.NextRequestAsync();

        _config.Apis.RemoveAll(api => api.Name == "slow");
        _gateway.Rewrite(_config);
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ReloadCount == 2));
        slow.ReleaseHeld();
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("old route", response.BodyText);
        await client.SendAsync("GET /slow HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status); // the next request sees the route gone
    }

    [Fact]
    public async Task BrokenCertificateReplacement_KeepsServingTheOldOne_AndLogsTheFile()
    {
        File.WriteAllText(_certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ReloadFailureCount >= 1), "the broken file was not noticed");
        Assert.Equal("CN=first.test", await SubjectOfNewHandshakeAsync());
        Assert.Contains(_logs.Lines, l => l.Contains("Reload refused", StringComparison.Ordinal) && l.Contains(_certFile, StringComparison.Ordinal));

        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ConfigEdit_AddsRouteAndListener_WithoutRestart()
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);

        _config.Apis.Add(TestConfigs.Api("b", "/b", _upstream.HttpUrl));
        _config.Listeners.Add(new ListenerConfig { Name = "extra", Address = "127.0.0.1:0" });
        _gateway.Rewrite(_config);
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ReloadCount >= 1), "the edit was not picked up");

        // The same keep-alive connection keeps working, and its next request uses the new configuration.
        await client.SendAsync("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        await using var fresh = await TestClient.ConnectAsync(_gateway.Endpoint("extra"));
        await fresh.SendAsync("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await fresh.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task InvalidConfigEdit_IsRejected_OldConfigKeepsServing()
    {
        File.WriteAllText(_gateway.ConfigFile, "{ \"listeners\": [ { \"address\": \"nowhere\" } ] }");
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ReloadFailureCount >= 1));
        Assert.Contains(_logs.Lines, l => l.Contains("$.listeners[0].address", StringComparison.Ordinal) && l.Contains(_gateway.ConfigFile, StringComparison.Ordinal));
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task KubernetesSecretSymlinkSwap_IsReloaded()
    {
        // The layout kubelet writes: tls.crt -> ..data/tls.crt, ..data -> ..2026_11_25_v1; an update swaps ..data.
        var secret = Directory.CreateDirectory(Path.Combine(_pki.Directory, "secret")).FullName;
        void Version(string name, IssuedCertificate certificate)
        {
            var dir = Directory.CreateDirectory(Path.Combine(secret, name)).FullName;
            File.Copy(certificate.CertificateFile, Path.Combine(dir, "tls.crt"));
            File.Copy(certificate.KeyFile, Path.Combine(dir, "tls.key"));
        }
        Version("..v1", _pki.IssueServer("k8s-one.test", "gateway.test"));
        File.CreateSymbolicLink(Path.Combine(secret, "..data"), "..v1");
        File.CreateSymbolicLink(Path.Combine(secret, "tls.crt"), "..data/tls.crt");
        File.CreateSymbolicLink(Path.Combine(secret, "tls.key"), "..data/tls.key");
        _config.Keystores["server"] = new KeystoreConfig { KubernetesSecret = secret };
        _gateway.Rewrite(_config);
        Assert.True(await Eventually.TrueAsync(async () => await SubjectOfNewHandshakeAsync() == "CN=k8s-one.test"));

        Version("..v2", _pki.IssueServer("k8s-two.test", "gateway.test"));
        File.CreateSymbolicLink(Path.Combine(secret, "..data_tmp"), "..v2");
        // An atomic rename(2) of the symlink over the old one, as kubelet does (File.Move refuses links to directories).
        Assert.Equal(0, (await ExternalTool.RunAsync("mv", "", "-T", Path.Combine(secret, "..data_tmp"), Path.Combine(secret, "..data"))).Exit);
        Assert.True(await Eventually.TrueAsync(async () => await SubjectOfNewHandshakeAsync() == "CN=k8s-two.test"), "the swapped secret was not picked up");
    }

    [Fact]
    public async Task ExpiredServerCertificate_IsReportedLoudlyAtStart()
    {
        var now = DateTimeOffset.UtcNow;
        var expired = _pki.IssueClient("expired-server", now.AddDays(-20), now.AddDays(-2), usage: "1.3.6.1.5.5.7.3.1");
        var logs = new CapturingLoggerFactory();
        var config = TestConfigs.TwoListeners(expired);
        await using var gateway = GatewayHost.Start(config, _pki.Directory, logs);
        Assert.Contains(logs.Lines, l => l.StartsWith("Critical: EXPIRED CERTIFICATE in use: CN=expired-server", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopDuringSlowRequest_RequestCompletes()
    {
        await using var slowUpstream = TestUpstream.StartHolding(_ => true, _ => TestResponse.Text("finished"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Limits.ShutdownDrainSeconds = 10;
        config.Apis.Add(TestConfigs.Api("slow", "/", slowUpstream.HttpUrl));
        var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var busy = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await using var idle = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await busy.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await slowUpstream.NextRequestAsync();

        var stopping = gateway.DisposeAsync().AsTask();
        Assert.True(await idle.IsClosedByServerAsync(), "an idle keep-alive connection stays open during shutdown");
        Assert.False(stopping.IsCompleted);
        slowUpstream.ReleaseHeld();
        var response = await busy.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("finished", response.BodyText);
        Assert.Equal("close", response.Header("Connection"));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
