using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FastGate.Core.Configuration;
using FastGate.Core.Infrastructure;
using FastGate.Core.Tls;
using FastGate.Core.Transport;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Demo;

/// <summary>Starts the configuration's built-in echo upstreams (plain or TLS) on their own listeners.</summary>
internal static class DemoUpstreams
{
    public static List<SocketListener> Start(LoadedConfig loaded, IReadOnlyDictionary<string, LoadedKeystore> keystores, ILogger logger)
    {
        var truststores = new Dictionary<string, X509Certificate2Collection>();
        foreach (var (name, truststore) in loaded.Config.Truststores)
        {
            var collection = new X509Certificate2Collection();
            foreach (var file in truststore.Certificates)
            {
                collection.AddRange(KeystoreLoader.LoadPemCertificates(loaded.ResolvePath(file)));
            }
            truststores[name] = collection;
        }
        return Start(loaded, keystores, truststores, logger);
    }

    private static List<SocketListener> Start(LoadedConfig loaded, IReadOnlyDictionary<string, LoadedKeystore> keystores,
        Dictionary<string, X509Certificate2Collection> truststores, ILogger logger)
    {
        var started = new List<SocketListener>();
        foreach (var demo in loaded.Config.DemoUpstreams)
        {
            if (!EndpointParser.TryParse(demo.Address, out var endpoint))
            {
                continue; // validated before
            }
            SslServerAuthenticationOptions? tls = null;
            if (demo.Keystore is not null)
            {
                var keystore = keystores[demo.Keystore];
                tls = new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = SslStreamCertificateContext.Create(keystore.Certificate, keystore.Intermediates, offline: true),
                };
                if (demo.ClientTruststore is not null)
                {
                    var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                    policy.CustomTrustStore.AddRange(truststores[demo.ClientTruststore]);
                    tls.ClientCertificateRequired = true;
                    tls.CertificateChainPolicy = policy;
                }
            }
            var name = demo.Name ?? "demo";
            var listener = new SocketListener($"demo:{name}", endpoint, 10_000, new DemoEchoHandler(name, tls), logger);
            listener.Start(tls is null ? "demo upstream, http" : "demo upstream, https");
            started.Add(listener);
        }
        return started;
    }
}
