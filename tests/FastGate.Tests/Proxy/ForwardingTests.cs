using System.Text;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Proxy;

/// <summary>Requests through a real gateway (TLS on loopback) to a raw-socket upstream that records what arrived.</summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = TestUpstream.Start();
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test", "gateway.test"));
        config.Apis.Add(TestConfigs.Api("users", "/users", $"{_upstream.HttpUrl}/api/v1"));
        config.Apis.Add(TestConfigs.Api("keep-path", "/keep", _upstream.HttpUrl, strip: false));
        config.Apis.Add(TestConfigs.Api("host-only", "/", $"{_upstream.HttpUrl}/hosted", strip: false, "special.test"));
        _gateway = GatewayHost.Start(config, _pki.Directory);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _pki.Dispose();
    }

    private Task<TestClient> ConnectTlsAsync() => TestClient.ConnectAsync(_gateway.Endpoint("https"), "gateway.test", _pki.Ca);

    [Fact]
    public async Task Get_ListenPathStripped_TargetBasePathPrefixedAndQueryKept()
    {
        await using var client = await ConnectTlsAsync();
        await client.SendAsync("GET /users/42?expand=orders&x=%20y HTTP/1.1\r\nHost: gateway.test\r\nAccept: application/json\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        var received = await _upstream.NextRequestAsync();
        Assert.Equal("GET /api/v1/42?expand=orders&x=%20y HTTP/1.1", received.RequestLine);
        Assert.Equal($"127.0.0.1:{_upstream.Port}", received.Header("Host"));
        Assert.Equal("application/json", received.Header("Accept"));
        Assert.Equal("127.0.0.1", received.Header("X-Forwarded-For"));
        Assert.Equal("https", received.Header("X-Forwarded-Proto"));
        Assert.Equal("gateway.test", received.Header("X-Forwarded-Host"));
        Assert.Equal("/api/v1/42?expand=orders&x=%20y", response.BodyText);
    }

    [Fact]
    public async Task Get_ListenPathExactly_MapsToTargetBasePath()
    {
        await using var client = await ConnectTlsAsync();
        await client.SendAsync("GET /users HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("/api/v1", (await _upstream.NextRequestAsync()).Target);
    }

    [Fact]
    public async Task Get_PathSharingPrefixButNotSegment_IsNotRouted()
    {
        await using var client = await ConnectTlsAsync();
        await client.SendAsync("GET /usersx HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(404, response.Status);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Get_HostSpecificApi_WinsForItsHostOnly()
    {
        await using var client = await ConnectTlsAsync();
        await client.SendAsync("GET /anything HTTP/1.1\r\nHost: special.test:8443\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("/hosted/anything", (await _upstream.NextRequestAsync()).Target);

        await client.SendAsync("GET /anything HTTP/1.1\r\nHost: other.test\r\n\r\n");
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Post_ContentLength_BodyArrivesByteExact()
    {
        var body = new byte[70_000];
        new Random(7).NextBytes(body);
        await using var client = await ConnectTlsAsync();
        await client.SendAsync(Encoding.ASCII.GetBytes($"POST /keep/upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\n\r\n"));
        await client.SendAsync(body);

        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        var received = await _upstream.NextRequestAsync();
        Assert.Equal("POST /keep/upload HTTP/1.1", received.RequestLine);
        Assert.Equal(body.Length.ToString(), received.Header("Content-Length"));
        Assert.Equal(body, received.RawBody);
    }

    [Fact]
    public async Task Post_Chunked_ForwardedVerbatimWithExtensionsAndTrailers()
    {
        const string chunked = "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Checksum: 123\r\n\r\n";
        await using var client = await ConnectTlsAsync();
        await client.SendAsync("POST /keep/chunks HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n");
        // Split the body across writes, mid-size-line and mid-data.
        await client.SendAsync(chunked[..3]);
        await client.SendAsync(chunked[3..20]);
        await client.SendAsync(chunked[20..]);

        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        var received = await _upstream.NextRequestAsync();
        Assert.Equal("chunked", received.Header("Transfer-Encoding"));
        Assert.Null(received.Header("Content-Length"));
        Assert.Equal(chunked, Encoding.ASCII.GetString(received.RawBody));
        Assert.Equal("helloabcdefghijklmnopqrstuvwxyz", Encoding.ASCII.GetString(received.DecodedBody));
    }

    [Fact]
    public async Task Request_HopByHopHeaders_AreRemovedIncludingConnectionNominated()
    {
        await using var client = await ConnectTlsAsync();
        await client.SendAsync("GET /keep HTTP/1.1\r\nHost: gateway.test\r\nConnection: keep-alive, X-Secret-Hop\r\nKeep-Alive: timeout=5\r\n" +
                               "X-Secret-Hop: 1\r\nTE: trailers\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\n" +
                               "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: gopher\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var received = await _upstream.NextRequestAsync();
        var names = received.HeaderNames.Select(n => n.ToLowerInvariant()).ToList();
        Assert.DoesNotContain("connection", names);
        Assert.DoesNotContain("keep-alive", names);
        Assert.DoesNotContain("x-secret-hop", names);
        Assert.DoesNotContain("te", names);
        Assert.DoesNotContain("upgrade", names);
        Assert.DoesNotContain("proxy-connection", names);
        Assert.Equal("yes", received.Header("X-Kept"));
        Assert.Equal("203.0.113.9, 127.0.0.1", received.Header("X-Forwarded-For"));
        Assert.Equal("https", received.Header("X-Forwarded-Proto"));
        Assert.Single(names, n => n == "x-forwarded-proto");
    }

    [Fact]
    public async Task KeepAlive_HundredRequests_UseOneUpstreamConnection()
    {
        await using var client = await ConnectTlsAsync();
        for (var i = 0; i < 100; i++)
        {
            await client.SendAsync($"GET /keep/{i} HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal($"/keep/{i}", response.BodyText);
        }
        Assert.Equal(1, _upstream.ConnectionCount);
        Assert.Equal(100, _upstream.Received.Count);
    }

    [Fact]
    public async Task KeepAlive_IdleConnections_HoldNoExchangeState_AndStayUsable()
    {
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = await ConnectTlsAsync();
                clients.Add(client);
                await client.SendAsync($"GET /keep/idle{i} HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            }
            // Heads, record and log buffer go back to the shared pool once a connection waits for its next request.
            var handler = _gateway.Gateway.Handler;
            Assert.True(await Eventually.TrueAsync(() => handler.CountSessions() == (3, 0)), $"sessions: {handler.CountSessions()}");

            for (var i = 0; i < clients.Count; i++)
            {
                await clients[i].SendAsync($"GET /keep/again{i} HTTP/1.1\r\nHost: gateway.test\r\nUser-Agent: second\r\n\r\n");
                var response = await clients[i].ReadResponseAsync();
                Assert.Equal(200, response.Status);
                Assert.Equal($"/keep/again{i}", response.BodyText);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Pipelined_RequestsInOneWrite_AnsweredInOrder()
    {
        await using var client = await ConnectTlsAsync();
        var batch = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            batch.Append($"GET /keep/p{i} HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        }
        batch.Append("POST /keep/p10 HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 3\r\n\r\nabc");
        batch.Append("GET /keep/p11 HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
        await client.SendAsync(batch.ToString());
        for (var i = 0; i < 12; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal($"/keep/p{i}", response.BodyText);
        }
    }

    [Fact]
    public async Task Http10_WithoutKeepAlive_GetsAnswerThenClose()
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync("GET /keep/old HTTP/1.0\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        var received = await _upstream.NextRequestAsync();
        Assert.EndsWith("HTTP/1.1", received.RequestLine);
        Assert.Equal("http", received.Header("X-Forwarded-Proto"));
    }

    [Fact]
    public async Task UnknownPath_Gets404AndConnectionStaysOpen()
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync("GET /nowhere HTTP/1.1\r\nHost: x.test\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(404, response.Status);
        Assert.Equal("no API matches this host and path", response.BodyText);
        await client.SendAsync("GET /keep/after HTTP/1.1\r\nHost: x.test\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData("GET /keep HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n")]
    [InlineData("GET /keep HTTP/1.1\r\n\r\n")]
    [InlineData("GET /keep HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET /keep HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /keep HTTP/1.1\nHost: a\n\n")]
    [InlineData("GET /keep HTTP/1.1\r\nHost: a\r\n folded: x\r\n\r\n")]
    [InlineData("GE(T /keep HTTP/1.1\r\nHost: a\r\n\r\n")]
    public async Task MalformedRequest_Gets400AndClose_NothingReachesUpstream(string raw)
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync(raw);
        var response = await client.ReadResponseAsync();
        Assert.Equal(400, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Response_ChunkedFromUpstream_RelayedVerbatim()
    {
        await using var upstream = TestUpstream.Start(_ => TestResponse.Raw(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("chunky", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal("Wikipedia", response.BodyText);
        Assert.Equal("4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", Encoding.ASCII.GetString(response.RawBody));
        Assert.Null(response.Header("Keep-Alive"));
        Assert.Null(response.Header("Connection"));

        // An HTTP/1.0 client gets the data without chunked framing, delimited by close.
        await using var old = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await old.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var oldResponse = await old.ReadResponseAsync();
        Assert.Null(oldResponse.Header("Transfer-Encoding"));
        Assert.Equal("Wikipedia", oldResponse.BodyText);
    }

    [Fact]
    public async Task Response_CloseDelimited_RelayedThenClientConnectionClosed()
    {
        await using var upstream = TestUpstream.Start(_ => TestResponse.Raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", close: true));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("eof", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal("until the end", response.BodyText);
        Assert.Equal("close", response.Header("Connection"));
    }

    [Theory]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n")]
    public async Task Response_WithoutBody_ConnectionStaysUsable(string method, string raw)
    {
        await using var upstream = TestUpstream.Start(r => r.Target == "/next" ? TestResponse.Text("next") : TestResponse.Raw(raw));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("nobody", "/", upstream.HttpUrl));
        await using var gateway = GatewayHost.Start(config, _pki.Directory);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync($"{method} / HTTP/1.1\r\nHost: a\r\n\r\n");
        var first = await client.ReadResponseAsync(headRequest: true);
        Assert.True(first.Status is 200 or 204 or 304);
        await client.SendAsync("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("next", (await client.ReadResponseAsync()).BodyText);
        Assert.Equal(1, upstream.ConnectionCount);
    }

    /// <summary>A gateway of the test's own whose one API sends everything to <paramref name="upstream"/>.</summary>
    private GatewayHost StartGatewayTo(TestUpstream upstream)
    {
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Apis.Add(TestConfigs.Api("hints", "/", upstream.HttpUrl));
        return GatewayHost.Start(config, _pki.Directory);
    }

    [Fact]
    public async Task UpstreamInformationalResponse_IsRelayedBeforeTheFinalOne_AndTheUpstreamConnectionIsReused()
    {
        await using var upstream = TestUpstream.Start(r => r.Target == "/next"
            ? TestResponse.Text("next")
            : TestResponse.Raw("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"));
        await using var gateway = StartGatewayTo(upstream);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET /page HTTP/1.1\r\nHost: a\r\n\r\n");
        var hints = await client.ReadResponseAsync();
        Assert.Equal(103, hints.Status);
        Assert.Equal("</style.css>; rel=preload", hints.Header("Link"));
        var final = await client.ReadResponseAsync();
        Assert.Equal(200, final.Status);
        Assert.Equal("final", final.BodyText);

        await client.SendAsync("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("next", (await client.ReadResponseAsync()).BodyText);
        Assert.Equal(1, upstream.ConnectionCount);
    }

    [Fact]
    public async Task EarlyHints_ReachTheClient_BeforeTheUpstreamHasSentTheFinalResponse()
    {
        // A 103 is only worth relaying if the browser gets it while the upstream is still working on the response.
        var hintsSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = TestUpstream.Start(_ =>
            TestResponse.Raw("HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload\r\n\r\n")
                with { Then = (hintsSeen.Task, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"u8.ToArray()) });
        await using var gateway = StartGatewayTo(upstream);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));

        await client.SendAsync("GET /page HTTP/1.1\r\nHost: a\r\n\r\n");
        var hints = await client.ReadResponseAsync();
        Assert.Equal(103, hints.Status);
        Assert.Equal("</app.js>; rel=preload", hints.Header("Link"));
        hintsSeen.SetResult();
        var final = await client.ReadResponseAsync();
        Assert.Equal(200, final.Status);
        Assert.Equal("final", final.BodyText);
    }

    [Fact]
    public async Task UpstreamClosingAfterAnInformationalResponse_OnAReusedConnection_Is502_AndNotSentAgain()
    {
        // A reused connection closed before any response byte is retried on a new one; after a 1xx it must not be.
        await using var upstream = TestUpstream.Start(r => r.Target == "/warm"
            ? TestResponse.Text("warm")
            : TestResponse.Raw("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", close: true));
        await using var gateway = StartGatewayTo(upstream);
        await using var client = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await client.SendAsync("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("warm", (await client.ReadResponseAsync()).BodyText);

        await client.SendAsync("GET /page HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(103, (await client.ReadResponseAsync()).Status);
        Assert.Equal(502, (await client.ReadResponseAsync()).Status);
        Assert.Equal(1, upstream.ConnectionCount);
    }

    [Fact]
    public async Task ExpectContinue_GatewayAnswers100ThenForwardsBody()
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("http"));
        await client.SendAsync("POST /keep/expect HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadResponseAsync();
        Assert.Equal(100, interim.Status);
        await client.SendAsync("data");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var received = await _upstream.NextRequestAsync();
        Assert.Equal("data", Encoding.ASCII.GetString(received.RawBody));
        Assert.Null(received.Header("Expect"));
    }
}
