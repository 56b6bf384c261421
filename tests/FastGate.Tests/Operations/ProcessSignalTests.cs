using System.Net;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Operations;

/// <summary>The real executable: SIGHUP reloads, SIGTERM drains and exits 0.</summary>
public sealed class ProcessSignalTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static string Config(int port, string upstream, string listenPath) => $$"""
    {
      "listeners": [ { "name": "http", "address": "127.0.0.1:{{port}}" } ],
      "apis": [ { "name": "a", "listen_path": "{{listenPath}}", "target_url": "{{upstream}}" } ],
      "reload": { "watch_files": false },
      "limits": { "shutdown_drain_seconds": 10 }
    }
    """;

    [Fact]
    public async Task Sighup_Reloads_Sigterm_DrainsAndExitsZero()
    {
        await using var upstream = TestUpstream.StartHolding(r => r.Target.StartsWith("/slow", StringComparison.Ordinal));
        var port = Loopback.FreePort();
        var file = Path.Combine(_pki.Directory, "process.json");
        await File.WriteAllTextAsync(file, Config(port, upstream.HttpUrl, "/old"));
        using var process = await GatewayProcess.StartAsync(file);
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);

        await File.WriteAllTextAsync(file, Config(port, upstream.HttpUrl, "/new"));
        await process.SignalAsync("HUP");
        Assert.True(await Eventually.TrueAsync(() => process.HasLogged("Configuration reloaded (SIGHUP)")), process.OutputText);
        await using (var client = await TestClient.ConnectAsync(endpoint))
        {
            await client.SendAsync("GET /new/x HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        await using var slow = await TestClient.ConnectAsync(endpoint);
        await File.WriteAllTextAsync(file, Config(port, upstream.HttpUrl, "/"));
        await process.SignalAsync("HUP");
        Assert.True(await Eventually.TrueAsync(() => process.CountLogged("Configuration reloaded (SIGHUP)") == 2), process.OutputText);
        await slow.SendAsync("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
        await upstream.NextRequestAsync(); // /new/x
        await upstream.NextRequestAsync(); // /slow is now at the upstream

        await process.SignalAsync("TERM");
        Assert.True(await Eventually.TrueAsync(() => process.HasLogged("Shutting down")), process.OutputText);
        Assert.False(process.HasExited, "exited before the request in flight finished");
        upstream.ReleaseHeld();
        var response = await slow.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("/slow", response.BodyText);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }
}
