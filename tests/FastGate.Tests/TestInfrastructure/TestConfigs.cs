using FastGate.Core.Configuration;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>Builders for the configurations the functional tests use.</summary>
internal static class TestConfigs
{
    /// <summary>An HTTPS listener "https" and a plain listener "http" on ephemeral ports, with one server keystore.</summary>
    public static GatewayConfig TwoListeners(IssuedCertificate server)
    {
        var config = new GatewayConfig
        {
            Keystores = { ["server"] = new KeystoreConfig { Certificate = server.CertificateFile, PrivateKey = server.KeyFile } },
            TlsServerProfiles = { ["default"] = new TlsServerProfileConfig { Keystore = "server" } },
            Listeners =
            {
                new ListenerConfig { Name = "https", Address = "127.0.0.1:0", Tls = new ListenerTlsConfig { ServerProfile = "default" } },
                new ListenerConfig { Name = "http", Address = "127.0.0.1:0" },
            },
        };
        config.Limits.ShutdownDrainSeconds = 2;
        config.AccessLog.Enabled = false; // tests that read the access log point it at a file
        return config;
    }

    public static ApiConfig Api(string name, string listenPath, string targetUrl, bool strip = true, params string[] hosts) => new()
    {
        Name = name,
        ListenPath = listenPath,
        StripListenPath = strip,
        TargetUrl = targetUrl,
        Hosts = [.. hosts],
    };
}
