using System.Text.Json;
using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Observability;

/// <summary>The admin listener: metrics that reflect a known sequence of requests, readiness, the access log.</summary>
public sealed class AdminEndpointTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private readonly TestPki _clientPki = new("Client CA");
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;
    private string _accessLog = null!;
    private IssuedCertificate _client = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Start();
        _client = _clientPki.IssueClient("metrics-client");
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Admin = new AdminConfig { Address = "127.0.0.1:0" };
        _accessLog = Path.Combine(_pki.Directory, "access.log");
        config.AccessLog = new AccessLogConfig { Enabled = true, Path = _accessLog, Format = "json" };
        config.Truststores["clients"] = new TruststoreConfig { Certificates = [_clientPki.CaFile] };
        config.TlsServerProfiles["default"].ClientCertificateMode = "request";
        config.TlsServerProfiles["default"].Truststore = "clients";
        config.Applications["metrics-app"] = new ApplicationConfig { ClientId = "m-1", Certificates = [_client.CertificateFile], Subscriptions = ["orders"] };
        var orders = TestConfigs.Api("orders", "/orders", _upstream.HttpUrl);
        orders.Auth = new ApiAuthConfig { Type = "tls-cert" };
        config.Apis.Add(orders);
        config.Apis.Add(TestConfigs.Api("down", "/down", "http://127.0.0.1:1"));
        _gateway = GatewayHost.Start(config, _pki.Directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _pki.Dispose();
        _clientPki.Dispose();
    }

    private async Task<TestHttpResponse> AdminAsync(string path)
    {
        await using var client = await TestClient.ConnectAsync(_gateway.Endpoint("admin"));
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    [Fact]
    public async Task Metrics_ReflectAKnownSequenceOfRequests()
    {
        await using (var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "gateway.test", _pki.Ca, _client.Certificate))
        {
            for (var i = 0; i < 3; i++)
            {
                await client.SendAsync("GET /orders/1 HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            }
            await client.SendAsync("POST /orders HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\n\r\nhello");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            await client.SendAsync("GET /down/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
            Assert.Equal(502, (await client.ReadResponseAsync()).Status);
            await client.SendAsync("GET /nowhere HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
            Assert.Equal(404, (await client.ReadResponseAsync()).Status);
        }
        await using (var anonymous = await TestClient.ConnectAsync(_gateway.Endpoint("http")))
        {
            await anonymous.SendAsync("GET /orders/2 HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(401, (await anonymous.ReadResponseAsync()).Status);
        }

        // A request is counted just after its response has left (as its access-log line is written), so the client
        // can be faster than the count: wait until all six requests show, then check every figure.
        GC.Collect(); // at least one collection, so the pause total has something to count
        TestHttpResponse metrics = null!;
        string[] lines = [];
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            metrics = await AdminAsync("/metrics");
            lines = metrics.BodyText.Split('\n');
            return lines.Contains("fastgate_request_duration_seconds_count{api=\"orders\"} 5")
                   && lines.Contains("fastgate_requests_total{api=\"down\",method=\"GET\",status_class=\"5xx\"} 1");
        }), "the requests were not all counted:\n" + string.Join('\n', lines));
        Assert.Equal(200, metrics.Status);
        Assert.StartsWith("text/plain; version=0.0.4", metrics.Header("Content-Type"));
        Assert.Contains("fastgate_requests_total{api=\"orders\",method=\"GET\",status_class=\"2xx\"} 3", lines);
        Assert.Contains("fastgate_requests_total{api=\"orders\",method=\"POST\",status_class=\"2xx\"} 1", lines);
        Assert.Contains("fastgate_requests_total{api=\"orders\",method=\"GET\",status_class=\"4xx\"} 1", lines);
        Assert.Contains("fastgate_requests_total{api=\"down\",method=\"GET\",status_class=\"5xx\"} 1", lines);
        Assert.Contains("fastgate_request_duration_seconds_count{api=\"orders\"} 5", lines);
        Assert.Contains("fastgate_upstream_errors_total{upstream=\"http://127.0.0.1:1\",kind=\"connect\"} 1", lines);
        Assert.Contains(lines, l => l.StartsWith($"fastgate_upstream_connections_created_total{{upstream=\"{_upstream.HttpUrl}\"}} 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"fastgate_upstream_connections_reused_total{{upstream=\"{_upstream.HttpUrl}\"}} 3", StringComparison.Ordinal));
        Assert.Contains("fastgate_tls_handshakes_total{listener=\"https\"} 1", lines);
        Assert.Contains("fastgate_downstream_connections_total{listener=\"http\"} 1", lines);
        Assert.Contains(lines, l => l.StartsWith("fastgate_request_bytes_total{api=\"orders\"} ", StringComparison.Ordinal) && long.Parse(l.Split(' ')[1]) > 5);
        Assert.Contains(lines, l => l.StartsWith("fastgate_certificate_expiry_seconds{subject=\"CN=gateway.test\"", StringComparison.Ordinal));
        Assert.Contains("fastgate_config_reloads_total 0", lines);
        double Value(string name) => double.Parse(Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var rss = Value("process_resident_memory_bytes");
        Assert.InRange(rss, 10e6, 10e9); // this test process: at least the runtime's 10 MB
        Assert.InRange(Value("dotnet_gc_committed_bytes"), 1, rss);
        Assert.True(Value("process_cpu_seconds_total") > 0);
        Assert.True(Value("dotnet_gc_allocated_bytes_total") > 0); // the test process has allocated (certificates, strings)
        Assert.Contains(lines, l => l.StartsWith("dotnet_gc_collections_total{generation=\"0\"} ", StringComparison.Ordinal));
        Assert.True(Value("dotnet_gc_pause_seconds_total") > 0);
        // The epoll transport ("auto" here): every loop's descriptors (this gateway's listeners at least) and CPU time.
        var loopDescriptors = lines.Where(l => l.StartsWith("fastgate_event_loop_descriptors{loop=", StringComparison.Ordinal)).ToList();
        Assert.Equal(FastGate.Core.Transport.EpollLoop.Count, loopDescriptors.Count);
        Assert.True(loopDescriptors.Sum(l => int.Parse(l.Split(' ')[1])) >= 2, string.Join('\n', loopDescriptors));
        Assert.True(Enumerable.Range(0, loopDescriptors.Count).Sum(i => Value($"fastgate_event_loop_cpu_seconds_total{{loop=\"{i}\"}}")) > 0);
        // the proxied requests above ran on pooled pipe buffers (held or kept: other tests share the process's pool)
        Assert.True(Value("fastgate_buffer_pool_bytes{state=\"free\"}") + Value("fastgate_buffer_pool_bytes{state=\"rented\"}") >= 16384);
        Assert.Contains(lines, l => l.StartsWith($"dotnet_gc_collections_total{{generation=\"{GC.MaxGeneration}\"}} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccessLog_MutualTlsRequest_CarriesSubjectApplicationAndTimings()
    {
        await using (var client = await TestClient.ConnectAsync(_gateway.Endpoint("https"), "gateway.test", _pki.Ca, _client.Certificate))
        {
            await client.SendAsync("GET /orders/7?q=1 HTTP/1.1\r\nHost: gateway.test\r\nX-Request-Id: trace-42\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            await client.SendAsync("GET /orders/8 HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }
        Assert.Equal("trace-42", (await _upstream.NextRequestAsync()).Header("X-Request-Id"));
        var generated = (await _upstream.NextRequestAsync()).Header("X-Request-Id");
        Assert.False(string.IsNullOrEmpty(generated));

        string[] lines = [];
        Assert.True(await Eventually.TrueAsync(() => File.Exists(_accessLog) && (lines = File.ReadAllLines(_accessLog)).Length >= 2));
        using var first = JsonDocument.Parse(lines.First(l => l.Contains("trace-42", StringComparison.Ordinal)));
        var entry = first.RootElement;
        Assert.Equal("CN=metrics-client", entry.GetProperty("client_cert").GetString());
        Assert.Equal("metrics-app", entry.GetProperty("application").GetString());
        Assert.Equal("orders", entry.GetProperty("api").GetString());
        Assert.Equal("gateway.test", entry.GetProperty("sni").GetString());
        Assert.Equal("GET /orders/7?q=1 HTTP/1.1", entry.GetProperty("request").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.Equal("127.0.0.1", entry.GetProperty("client").GetString());
        Assert.Equal(_upstream.HttpUrl, entry.GetProperty("upstream").GetString());
        Assert.True(entry.GetProperty("upstream_connect_ms").GetDouble() >= 0);
        Assert.True(entry.GetProperty("upstream_first_byte_ms").GetDouble() > 0);
        Assert.True(entry.GetProperty("total_ms").GetDouble() >= entry.GetProperty("upstream_first_byte_ms").GetDouble());
        Assert.False(entry.GetProperty("reused").GetBoolean());
        Assert.True(entry.GetProperty("bytes_out").GetInt64() > 0);
        using var second = JsonDocument.Parse(lines.First(l => l.Contains(generated!, StringComparison.Ordinal)));
        Assert.True(second.RootElement.GetProperty("reused").GetBoolean());
    }

    [Fact]
    public async Task HealthAndReadiness_FlipWhenShuttingDown()
    {
        Assert.Equal("ok\n", (await AdminAsync("/healthz")).BodyText);
        Assert.Equal(200, (await AdminAsync("/readyz")).Status);
        using var status = JsonDocument.Parse((await AdminAsync("/status.json")).BodyText);
        Assert.True(status.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(2, status.RootElement.GetProperty("listeners").GetArrayLength());

        await using var slow = TestUpstream.StartHolding(_ => true, _ => TestResponse.Text("late"));
        var config = TestConfigs.TwoListeners(_pki.IssueServer("gateway.test"));
        config.Admin = new AdminConfig { Address = "127.0.0.1:0" };
        config.Limits.ShutdownDrainSeconds = 10;
        config.Apis.Add(TestConfigs.Api("slow", "/", slow.HttpUrl));
        var gateway = GatewayHost.Start(config, _pki.Directory);
        var admin = gateway.Endpoint("admin");
        await using var busy = await TestClient.ConnectAsync(gateway.Endpoint("http"));
        await busy.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await slow.NextRequestAsync();
        var stopping = gateway.DisposeAsync().AsTask();
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await using var probe = await TestClient.ConnectAsync(admin);
            await probe.SendAsync("GET /readyz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            return (await probe.ReadResponseAsync()).Status == 503;
        }), "/readyz did not turn 503 during shutdown");
        slow.ReleaseHeld();
        Assert.Equal(200, (await busy.ReadResponseAsync()).Status);
        await stopping;
    }

    [Fact]
    public async Task StatusPage_IsSelfContainedHtml()
    {
        var page = await AdminAsync("/");
        Assert.Equal("text/html; charset=utf-8", page.Header("Content-Type"));
        Assert.Contains("<table>", page.BodyText);
        Assert.DoesNotContain("src=\"http", page.BodyText);
        Assert.DoesNotContain("href=\"http", page.BodyText);
    }
}
