using FastGate.Core.Configuration;

namespace FastGate.Tests.Configuration;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fastgate-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var file = Path.Combine(_dir, "fastgate.json");
        File.WriteAllText(file, json);
        return file;
    }

    private ConfigException LoadFails(string json)
    {
        var file = Write(json);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file));
        Assert.All(e.Errors, error => Assert.Equal(file, error.File));
        return e;
    }

    [Fact]
    public void Load_ShippedConfig_IsValid()
    {
        var shipped = Path.Combine(FindRepositoryRoot(), "config", "fastgate.json");
        var loaded = ConfigLoader.Load(shipped);
        Assert.Equal(2, loaded.Config.Listeners.Count);
        Assert.NotEmpty(loaded.Config.Apis);
        Assert.NotNull(loaded.Config.DevelopmentCertificates);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Load_TlsSessionCacheSizeOutOfRange_IsAnErrorWithItsPath(int size)
    {
        var e = LoadFails($$"""{ "listeners": [ { "name": "l", "address": "127.0.0.1:1" } ], "tls_sessions": { "cache_size": {{size}} } }""");
        var error = Assert.Single(e.Errors);
        Assert.Equal("$.tls_sessions.cache_size", error.JsonPath);
    }

    [Fact]
    public void Load_UnknownTransport_IsAnErrorWithItsPathAndTheChoices()
    {
        var e = LoadFails("""{ "listeners": [ { "name": "l", "address": "127.0.0.1:1" } ], "transport": "io_uring" }""");
        var error = Assert.Single(e.Errors);
        Assert.Equal("$.transport", error.JsonPath);
        Assert.Contains("auto, epoll, sockets", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1025)]
    public void Load_EventLoopsOutOfRange_IsAnErrorWithItsPath(int loops)
    {
        var e = LoadFails($$"""{ "listeners": [ { "name": "l", "address": "127.0.0.1:1" } ], "event_loops": {{loops}} }""");
        var error = Assert.Single(e.Errors);
        Assert.Equal("$.event_loops", error.JsonPath);
        Assert.Contains("between 0 (one per processor) and 1024", error.Message);
    }

    [Fact]
    public void Load_SyntaxError_NamesLineAndPath()
    {
        var e = LoadFails("{ \"listeners\": [ { \"address\": \"127.0.0.1:1\", } ], \"apis\": [ { \"name\": 5 } ] }");
        var error = Assert.Single(e.Errors);
        Assert.Equal("$.apis[0].name", error.JsonPath);
        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public void Load_UnknownProperty_IsAnErrorWithItsPath()
    {
        var e = LoadFails("{ \"listeners\": [ { \"adress\": \"127.0.0.1:1\" } ] }");
        var error = Assert.Single(e.Errors);
        Assert.Contains("adress", error.Message);
        Assert.StartsWith("$.listeners[0]", error.JsonPath);
    }

    [Fact]
    public void Load_ManyProblems_AllReportedWithJsonPaths()
    {
        var e = LoadFails("""
        {
          "keystores": { "ks": { "certificate": "missing.crt", "private_key": "missing.key" } },
          "tls_server_profiles": { "p": { "keystore": "nope", "protocols": ["1.1"] } },
          "listeners": [
            { "name": "a", "address": "localhost:80", "tls": { "server_profile": "ghost", "sni": { "bad host!": "p" } } },
            { "name": "b", "address": "127.0.0.1:9000" },
            { "name": "c", "address": "127.0.0.1:9000" }
          ],
          "apis": [
            { "name": "x", "listen_path": "api", "target_url": "ftp://x" },
            { "name": "x", "listen_path": "/a", "target_url": "http://up/?q=1", "tls_client_profile": "none" },
            { "name": "y", "listen_path": "/a/", "target_url": "http://up" }
          ],
          "upstream_pool": { "max_connections_per_endpoint": 0 }
        }
        """);
        var paths = e.Errors.Select(x => x.JsonPath).ToList();
        Assert.Contains("$.keystores['ks'].certificate", paths);
        Assert.Contains("$.keystores['ks'].private_key", paths);
        Assert.Contains("$.tls_server_profiles['p'].keystore", paths);
        Assert.Contains("$.tls_server_profiles['p'].protocols[0]", paths);
        Assert.Contains("$.listeners[0].address", paths);
        Assert.Contains("$.listeners[0].tls.server_profile", paths);
        Assert.Contains("$.listeners[0].tls.sni['bad host!']", paths);
        Assert.Contains("$.listeners[2].address", paths);
        Assert.Contains("$.apis[0].listen_path", paths);
        Assert.Contains("$.apis[0].target_url", paths);
        Assert.Contains("$.apis[1].name", paths);
        Assert.Contains("$.apis[1].target_url", paths);
        Assert.Contains("$.apis[1].tls_client_profile", paths);
        Assert.Contains("$.apis[2].listen_path", paths); // "/a/" and "/a" are the same listen path
        Assert.Contains("$.upstream_pool.max_connections_per_endpoint", paths);
        Assert.Contains(e.Errors, x => x.Message.Contains("missing.crt") && x.Message.Contains("does not exist"));
    }

    [Fact]
    public void Load_UnknownCipherSuite_ListsValidNames()
    {
        var e = LoadFails("""
        { "tls_client_profiles": { "c": { "cipher_suites": ["TLS_AES_128_GCM_SHA256", "TLS_RSA_ROT13"] } },
          "listeners": [ { "address": "127.0.0.1:0" } ] }
        """);
        var error = Assert.Single(e.Errors);
        Assert.Equal("$.tls_client_profiles['c'].cipher_suites[1]", error.JsonPath);
        Assert.Contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", error.Message);
    }

    [Fact]
    public void Load_MutualTlsAndApplicationMistakes_AllReported()
    {
        var e = LoadFails("""
        {
          "keystores": { "k": { "certificate": "x.crt", "private_key": "x.key" } },
          "tls_server_profiles": {
            "a": { "keystore": "k", "client_certificate_mode": "demand" },
            "b": { "keystore": "k", "client_certificate_mode": "require" },
            "c": { "keystore": "k", "client_certificate_mode": "request", "truststore": "ghost" }
          },
          "applications": {
            "app1": { "client_id": "same", "subscriptions": ["nope"] },
            "app2": { "client_id": "same", "fingerprints": ["12:34"] }
          },
          "listeners": [ { "address": "127.0.0.1:0" } ],
          "apis": [ { "name": "x", "listen_path": "/", "target_url": "http://u",
                      "auth": { "type": "basic", "client_id_header": "bad header", "certificate_header": { "name": "X-Cert" } } } ]
        }
        """);
        var paths = e.Errors.Select(x => x.JsonPath).ToList();
        Assert.Contains("$.tls_server_profiles['a'].client_certificate_mode", paths);
        Assert.Contains("$.tls_server_profiles['b'].truststore", paths);
        Assert.Contains("$.tls_server_profiles['c'].truststore", paths);
        Assert.Contains("$.applications['app1']", paths);
        Assert.Contains("$.applications['app1'].subscriptions[0]", paths);
        Assert.Contains("$.applications['app2'].fingerprints[0]", paths);
        Assert.Contains("$.applications['app2'].client_id", paths);
        Assert.Contains("$.apis[0].auth.type", paths);
        Assert.Contains("$.apis[0].auth.client_id_header", paths);
        Assert.Contains("$.apis[0].auth.certificate_header.trusted_sources", paths);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var missing = Path.Combine(_dir, "nope.json");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(missing));
        Assert.Equal(missing, Assert.Single(e.Errors).File);
    }

    internal static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastGate.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("FastGate.sln not found above the test binaries");
    }
}
