using System.Net.Sockets;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Transport;

/// <summary>
/// The real executable with <c>event_loops</c> set: the process runs that many epoll loops (not one per processor),
/// says so at start, shows each in its metrics and serves on them. A process of its own, since the loops are per process.
/// </summary>
public sealed class EventLoopCountTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task EventLoops_TheProcessRunsThatManyLoops(int loops)
    {
        await using var upstream = TestUpstream.Start();
        var (port, adminPort) = (Loopback.FreePort(), Loopback.FreePort());
        var file = Path.Combine(_pki.Directory, $"loops-{loops}.json");
        await File.WriteAllTextAsync(file, $$"""
            {
              "transport": "epoll",
              "event_loops": {{loops}},
              "listeners": [ { "name": "http", "address": "127.0.0.1:{{port}}" } ],
              "apis": [ { "name": "a", "listen_path": "/", "target_url": "{{upstream.HttpUrl}}" } ],
              "admin": { "address": "127.0.0.1:{{adminPort}}" },
              "reload": { "watch_files": false }
            }
            """);
        using var process = await GatewayProcess.StartAsync(file);
        Assert.True(process.HasLogged($"{loops} event loop thread(s) of FastGate's own (event_loops {loops})"), process.OutputText);

        // Connections held at once, so they spread over every loop (least loaded first), each answered.
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 2 * loops; i++)
            {
                var client = await TestClient.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
                clients.Add(client);
                await client.SendAsync("GET /spread HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var metrics = (await http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics")).Split('\n');
            var descriptors = metrics.Where(l => l.StartsWith("fastgate_event_loop_descriptors{", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, loops).Select(i => $"fastgate_event_loop_descriptors{{loop=\"{i}\"}}"),
                descriptors.Select(l => l.Split(' ')[0]));
            // Every loop holds client connections: the 2 per loop, with the listener and the pooled upstream connection beside them.
            Assert.All(descriptors, l => Assert.True(int.Parse(l.Split(' ')[1]) >= 2, string.Join('\n', descriptors)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
