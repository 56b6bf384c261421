using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Operations;

/// <summary>The real executable: SIGHUP reloads, SIGTERM drains and exits 0.</summary>
public sealed class ProcessSignalTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

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
        var port = FreePort();
        var file = Path.Combine(_pki.Directory, "process.json");
        await File.WriteAllTextAsync(file, Config(port, upstream.HttpUrl, "/old"));
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "fastgate.dll"), "run", "--config", file })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Assert.True(await Eventually.TrueAsync(() => output.Any(l => l.Contains("listening on", StringComparison.Ordinal)), TimeSpan.FromSeconds(30)),
                string.Join("\n", output));
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);

            await File.WriteAllTextAsync(file, Config(port, upstream.HttpUrl, "/new"));
            Assert.Equal(0, (await ExternalTool.RunAsync("kill", "", "-HUP", process.Id.ToString())).Exit);
            Assert.True(await Eventually.TrueAsync(() => output.Any(l => l.Contains("Configuration reloaded (SIGHUP)", StringComparison.Ordinal))), string.Join("\n", output));
            await using (var client = await TestClient.ConnectAsync(endpoint))
            {
                await client.SendAsync("GET /new/x HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            }

            await using var slow = await TestClient.ConnectAsync(endpoint);
            await File.WriteAllTextAsync(file, Config(port, upstream.HttpUrl, "/"));
            Assert.Equal(0, (await ExternalTool.RunAsync("kill", "", "-HUP", process.Id.ToString())).Exit);
            Assert.True(await Eventually.TrueAsync(() => output.Count(l => l.Contains("Configuration reloaded (SIGHUP)", StringComparison.Ordinal)) == 2));
            await slow.SendAsync("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            await upstream.NextRequestAsync(); // /new/x
            await upstream.NextRequestAsync(); // /slow is now at the upstream

            Assert.Equal(0, (await ExternalTool.RunAsync("kill", "", "-TERM", process.Id.ToString())).Exit);
            Assert.True(await Eventually.TrueAsync(() => output.Any(l => l.Contains("Shutting down", StringComparison.Ordinal))));
            Assert.False(process.HasExited, "exited before the request in flight finished");
            upstream.ReleaseHeld();
            var response = await slow.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("/slow", response.BodyText);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
