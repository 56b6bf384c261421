using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Hardening;

/// <summary>Hostile and odd input through a real socket: the client's answer, and what the upstream received.</summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Limits.RequestHeadTimeoutSeconds = 0.5;
        config.Limits.RequestBodyTimeoutSeconds = 0.5;
        config.Limits.KeepAliveTimeoutSeconds = 1;
        config.Limits.HandshakeTimeoutSeconds = 0.5;
        config.Limits.MaxRequestBodyBytes = 1000;
        config.Apis.Add(TestConfigs.Api("small", "/", _upstream.HttpUrl));
        var big = TestConfigs.Api("big", "/big", _upstream.HttpUrl);
        big.MaxBodyBytes = 0; // no limit for this API
        config.Apis.Add(big);
        _gateway = GatewayHost.Start(config, _pki.Directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _pki.Dispose();
    }

    private Task<TestClient> ConnectAsync() => TestClient.ConnectAsync(_gateway.Endpoint("http"));

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", 501)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  chunked\t,\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400)]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("GET http://a.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", 400)]
    [InlineData("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n", 405)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Evil\0: 1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n", 413)]
    public async Task RefusedRequests_RightStatus_ConnectionClosed_NothingForwarded(string raw, int status)
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(raw);
        var response = await client.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task ChunkedBodyOverTheApiLimit_Gets413AndClose()
    {
        await using var client = await ConnectAsync();
        var chunk = new string('x', 600);
        await client.SendAsync($"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(413, response.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task ApiWithoutBodyLimit_TakesLargeBodies()
    {
        await using var client = await ConnectAsync();
        var body = new string('y', 50_000);
        await client.SendAsync($"POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(body.Length, (await _upstream.NextRequestAsync()).RawBody.Length);
    }

    [Fact]
    public async Task MalformedChunkedBody_Gets400AndClose()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Slowloris_TricklingHeaders_Gets408AndIsClosed()
    {
        await using var client = await ConnectAsync();
        var started = Stopwatch.StartNew();
        await client.SendAsync("GET / HTTP/1.1\r\n");
        var sender = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await client.SendAsync($"X-{i}: y\r\n");
                }
                catch (IOException)
                {
                    return; // closed by the gateway, as it should be
                }
                await Task.Delay(100); // the attack: a header line every 100 ms, never finishing the head
            }
        });
        var response = await client.ReadResponseAsync();
        Assert.Equal(408, response.Status);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"cut off after {started.Elapsed}");
        Assert.True(await client.IsClosedByServerAsync());
        await sender;
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task StalledTlsHandshake_IsCutOffAtTheHandshakeTimeout_AndCountedAsATimeout()
    {
        var listener = _gateway.Gateway.Metrics.Listener("https");
        var before = listener.HandshakeFailures(FastGate.Core.Observability.HandshakeFailureReason.Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_gateway.Endpoint("https"));
        var started = Stopwatch.StartNew();
        await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0xc8, 0x01 }); // a ClientHello record that never completes

        using var stream = new NetworkStream(socket);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int read;
        try
        {
            read = await stream.ReadAsync(new byte[16], wait.Token);
        }
        catch (IOException)
        {
            read = 0; // reset: closed as well
        }

        Assert.Equal(0, read);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.4), $"closed after {started.Elapsed}, before the timeout");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"closed after {started.Elapsed}");
        Assert.True(await Eventually.TrueAsync(() => listener.HandshakeFailures(FastGate.Core.Observability.HandshakeFailureReason.Timeout) == before + 1),
            "the failure was not counted as a handshake timeout");
    }

    [Fact]
    public async Task StalledRequestBody_Gets408AndIsClosed()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        var response = await client.ReadResponseAsync();
        Assert.Equal(408, response.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task IdleKeepAliveConnection_IsClosedAfterTheKeepAliveTimeout()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Http2PriorKnowledge_IsAnsweredNotHung()
    {
        await using var client = await ConnectAsync();
        await client.SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0");
        var response = await client.ReadResponseAsync();
        Assert.Equal(505, response.Status);
    }

    [Fact]
    public async Task WebSocketUpgrade_TunnelledBothWaysAfter101()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var upstreamHead = new TaskCompletionSource<string>();
        var upstreamTask = Task.Run(async () =>
        {
            using var socket = await listener.AcceptAsync();
            await using var stream = new NetworkStream(socket);
            var reader = new BufferedReader(stream);
            upstreamHead.SetResult((await HttpWire.ReadHeadAsync(reader, CancellationToken.None))!);
            await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello from upstream|"u8.ToArray());
            // Echo whatever arrives, upper-cased, until the client side closes.
            while (true)
            {
                var b = await reader.ReadByteAsync(CancellationToken.None);
                if (b < 0)
                {
                    return;
                }
                await stream.WriteAsync(new[] { (byte)char.ToUpperInvariant((char)b) });
            }
        });
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("ws", "/ws", $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}"));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using (var client = await TestClient.ConnectAsync(gateway.Endpoint("https"), "gateway.test", _pki.Ca))
        {
            await client.SendAsync("GET /ws/chat HTTP/1.1\r\nHost: gateway.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            var head = await HttpWire.ReadHeadAsync(client.Reader, CancellationToken.None);
            Assert.StartsWith("HTTP/1.1 101", head);
            Assert.Equal("websocket", HttpWire.HeaderValue(head!, "Upgrade"));
            Assert.Equal("hello from upstream|", Encoding.ASCII.GetString(await client.Reader.ReadExactlyAsync(20, CancellationToken.None)));
            await client.SendAsync("ping");
            Assert.Equal("PING", Encoding.ASCII.GetString(await client.Reader.ReadExactlyAsync(4, CancellationToken.None)));
        }
        var forwarded = await upstreamHead.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("websocket", HttpWire.HeaderValue(forwarded, "Upgrade"));
        Assert.Equal("upgrade", HttpWire.HeaderValue(forwarded, "Connection"));
        Assert.Equal("13", HttpWire.HeaderValue(forwarded, "Sec-WebSocket-Version"));
        await upstreamTask.WaitAsync(TimeSpan.FromSeconds(5)); // the upstream side was closed when the client left
    }

    [Fact]
    public async Task UpstreamResponseWithConflictingFraming_Gets502NotRelayed()
    {
        await using var upstream = TestUpstream.Start(_ => TestResponse.Raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("evil", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
    }
}
