using System.Net;
using System.Net.Sockets;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Transport;

/// <summary>
/// The real executable with a low descriptor limit: when accept fails with EMFILE the listener pauses and tries again
/// (an edge-triggered epoll listener is not told again about connections still queued; .NET's accept loop would spin),
/// and once descriptors are free the queued and new connections are served.
/// </summary>
public sealed class AcceptBackOffTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData("epoll")]
    [InlineData("sockets")]
    public async Task OutOfDescriptors_ListenerBacksOffThenServesAgain(string transport)
    {
        await using var upstream = TestUpstream.Start();
        var port = Loopback.FreePort();
        var file = Path.Combine(_pki.Directory, $"emfile-{transport}.json");
        await File.WriteAllTextAsync(file, $$"""
            {
              "transport": "{{transport}}",
              "listeners": [ { "name": "http", "address": "127.0.0.1:{{port}}" } ],
              "apis": [ { "name": "a", "listen_path": "/", "target_url": "{{upstream.HttpUrl}}" } ],
              "reload": { "watch_files": false }
            }
            """);
        // The JIT process holds ~110 descriptors once started; 300 more connections cannot all be accepted.
        using var process = await GatewayProcess.StartAsync(file, maxOpenFiles: 256);
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                held.Add(socket);
                await socket.ConnectAsync(endpoint); // completes from the listen queue, accepted or not
            }
            Assert.True(await Eventually.TrueAsync(() => process.HasLogged("cannot accept (TooManyOpenSockets); trying again in 100 ms")),
                process.OutputText);

            // Free the descriptors of every accepted connection (the first ~140) and keep the last 100, still queued.
            // No new connection arrives from here: only the listener's own retry can accept them.
            foreach (var socket in held[..200])
            {
                socket.Dispose();
            }
            var last = held[^1];
            await last.SendAsync("GET /queued HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var buffer = new byte[4096];
            var received = await last.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(buffer, 0, received));
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }

        Assert.False(process.HasExited, process.OutputText);
        // Paced, not spinning: ten lines a second while the descriptors were short, not thousands.
        Assert.InRange(process.CountLogged("cannot accept"), 1, 300);
    }
}
