using System.Net;
using System.Security.Cryptography;
using FastGate.Core.Auth;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FastGate.Core.Configuration;
using FastGate.Core.Http;
using FastGate.Core.Infrastructure;
using FastGate.Core.Routing;
using FastGate.Core.Tls;
using FastGate.Core.Upstream;

namespace FastGate.Core.Proxy;

/// <summary>
/// Compiles a validated configuration into a <see cref="GatewaySnapshot"/>: loads every keystore and truststore
/// (reporting each bad file with its JSON path), builds certificate contexts and TLS options once, the route table
/// and the upstream endpoints. Lives in Proxy because the snapshot joins Tls, Routing and Upstream.
/// </summary>
internal static class GatewaySnapshotBuilder
{
    /// <exception cref="ConfigException">A certificate or key cannot be used; every such error is listed.</exception>
    public static GatewaySnapshot Build(LoadedConfig loaded, UpstreamConnectionPool pools, Observability.MetricsRegistry? metrics = null)
    {
        metrics ??= new Observability.MetricsRegistry();
        var config = loaded.Config;
        var errors = new List<ConfigError>();

        var keystores = new Dictionary<string, LoadedKeystore>(StringComparer.Ordinal);
        foreach (var (name, keystore) in config.Keystores)
        {
            try
            {
                keystores[name] = keystore switch
                {
                    { Pfx: { } pfx } => KeystoreLoader.LoadPfx(name, loaded.ResolvePath(pfx), keystore.Password),
                    { KubernetesSecret: { } secret } => KeystoreLoader.LoadPem(name,
                        Path.Combine(loaded.ResolvePath(secret), "tls.crt"), Path.Combine(loaded.ResolvePath(secret), "tls.key")),
                    _ => KeystoreLoader.LoadPem(name, loaded.ResolvePath(keystore.Certificate!), loaded.ResolvePath(keystore.PrivateKey!)),
                };
            }
            catch (CertificateLoadException e)
            {
                errors.Add(new ConfigError(loaded.FilePath, $"$.keystores['{name}']", e.Message));
            }
        }

        var truststores = new Dictionary<string, Truststore>(StringComparer.Ordinal);
        foreach (var (name, truststore) in config.Truststores)
        {
            var collection = new X509Certificate2Collection();
            for (var i = 0; i < truststore.Certificates.Count; i++)
            {
                try
                {
                    collection.AddRange(KeystoreLoader.LoadPemCertificates(loaded.ResolvePath(truststore.Certificates[i])));
                }
                catch (CertificateLoadException e)
                {
                    errors.Add(new ConfigError(loaded.FilePath, $"$.truststores['{name}'].certificates[{i}]", e.Message));
                }
            }
            var crls = new List<CertificateRevocationList>();
            for (var i = 0; i < truststore.Crls.Count; i++)
            {
                try
                {
                    crls.Add(CertificateRevocationList.Load(loaded.ResolvePath(truststore.Crls[i]), collection));
                }
                catch (CertificateLoadException e)
                {
                    errors.Add(new ConfigError(loaded.FilePath, $"$.truststores['{name}'].crls[{i}]", e.Message));
                }
            }
            truststores[name] = new Truststore(name, collection, crls);
        }

        var serverProfiles = new Dictionary<string, TlsServerProfile>(StringComparer.Ordinal);
        foreach (var (name, profile) in config.TlsServerProfiles)
        {
            if (keystores.TryGetValue(profile.Keystore!, out var keystore))
            {
                var mode = profile.ClientCertificateMode switch
                {
                    "require" => ClientCertificateMode.Require,
                    "request" => ClientCertificateMode.Request,
                    _ => ClientCertificateMode.None,
                };
                var validator = mode == ClientCertificateMode.None
                    ? null
                    : new ClientCertificateValidator(mode, profile.Truststore is null ? null : truststores[profile.Truststore], profile.UseSystemTrustStore);
                serverProfiles[name] = new TlsServerProfile(name, keystore, TlsProtocols.Parse(profile.Protocols), CipherSuites(profile.CipherSuites), validator);
            }
        }

        var applications = BuildApplications(loaded, errors);
        CheckLegacyProtocols(loaded, errors);
        if (config.Transport == "epoll" && !Transport.EpollLoop.IsSupported)
        {
            errors.Add(new ConfigError(loaded.FilePath, "$.transport",
                $"epoll needs Linux on x86-64 or arm64 (this is {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}); use auto or sockets"));
        }

        var clientProfiles = new Dictionary<string, TlsClientProfile>(StringComparer.Ordinal);
        foreach (var (name, profile) in config.TlsClientProfiles)
        {
            var roots = profile.Truststore is null ? null : truststores[profile.Truststore].Certificates;
            clientProfiles[name] = new TlsClientProfile(name, roots, TlsProtocols.Parse(profile.Protocols),
                CipherSuites(profile.CipherSuites), profile.Sni, profile.InsecureSkipVerify);
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        var listeners = new Dictionary<string, ListenerSnapshot>(StringComparer.Ordinal);
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            if (!EndpointParser.TryParse(listener.Address, out var endpoint))
            {
                throw new InvalidOperationException("the configuration was not validated"); // ConfigValidator checks addresses
            }
            var name = listener.Name ?? $"listener-{i}";
            ServerTlsSelector? selector = null;
            if (listener.Tls is { } tls)
            {
                var byHost = new List<KeyValuePair<string, TlsServerProfile>>();
                var defaultProfile = serverProfiles[tls.ServerProfile!];
                var several = false;
                foreach (var (host, profile) in tls.Sni)
                {
                    byHost.Add(new(host, serverProfiles[profile]));
                    several |= serverProfiles[profile] != defaultProfile;
                }
                selector = new ServerTlsSelector(defaultProfile, new HostNameMap<TlsServerProfile>(byHost), several);
            }
            listeners[name] = new ListenerSnapshot(name, endpoint!, listener.MaxConnections, selector);
        }

        var clientCertificates = new Dictionary<string, ClientCertificate>(StringComparer.Ordinal);
        UpstreamCertificateMap<ClientCertificate> CompileMap(Dictionary<string, string> map)
        {
            if (map.Count == 0)
            {
                return UpstreamCertificateMap<ClientCertificate>.Empty;
            }
            var entries = new List<(UpstreamCertificateKey, ClientCertificate)>(map.Count);
            foreach (var (key, keystoreName) in map)
            {
                if (!UpstreamCertificateKey.TryParse(key, out var parsed, out var error))
                {
                    throw new InvalidOperationException($"the configuration was not validated: {error}");
                }
                if (!clientCertificates.TryGetValue(keystoreName, out var certificate))
                {
                    clientCertificates[keystoreName] = certificate = new ClientCertificate(keystores[keystoreName]);
                }
                entries.Add((parsed, certificate));
            }
            return new UpstreamCertificateMap<ClientCertificate>(entries);
        }
        var globalCertificates = CompileMap(config.UpstreamCertificates);

        var pool = config.UpstreamPool;
        var endpoints = new Dictionary<string, UpstreamEndpoint>(StringComparer.Ordinal);
        var apis = new List<ProxyApi>(config.Apis.Count);
        var routes = new List<(IReadOnlyList<string>, string, ProxyApi)>(config.Apis.Count);
        foreach (var api in config.Apis)
        {
            var target = new Uri(api.TargetUrl!);
            var isTls = target.Scheme == Uri.UriSchemeHttps;
            var clientProfile = api.TlsClientProfile is null ? TlsClientProfile.SystemDefault : clientProfiles[api.TlsClientProfile];
            var host = target.IdnHost;
            var apiCertificates = CompileMap(api.UpstreamCertificates);
            var (clientCertificate, reason) = ChooseClientCertificate(apiCertificates, globalCertificates, host, target.Port);
            if (!isTls)
            {
                clientCertificate = null;
                reason = "plain HTTP target: no TLS, no client certificate";
            }
            var key = isTls
                ? $"https://{host}:{target.Port}|sni={clientProfile.ServerNameFor(host)}|profile={clientProfile.Name}|cert={clientCertificate?.Name ?? "-"}"
                : $"http://{host}:{target.Port}";
            if (!endpoints.TryGetValue(key, out var endpoint))
            {
                var endpointPool = pools.GetOrCreate(key);
                endpointPool.MaxConnections = pool.MaxConnectionsPerEndpoint;
                endpointPool.IdleTimeout = TimeSpan.FromSeconds(pool.IdleTimeoutSeconds);
                endpointPool.MaxLifetime = TimeSpan.FromSeconds(pool.MaxLifetimeSeconds);
                endpointPool.WaitTimeout = TimeSpan.FromSeconds(pool.WaitTimeoutSeconds);
                endpoint = new UpstreamEndpoint(key, host, target.Port, isTls ? clientProfile.CreateOptions(host, clientCertificate) : null,
                    TimeSpan.FromSeconds(pool.ConnectTimeoutSeconds), endpointPool, clientCertificate, pools.Transport);
                endpoints[key] = endpoint;
            }

            var listenPath = ConfigValidator.NormalizeListenPath(api.ListenPath);
            var basePath = target.AbsolutePath.TrimEnd('/');
            var authority = target.IsDefaultPort ? target.Host : target.Authority;
            var proxyApi = new ProxyApi
            {
                Name = api.Name!,
                TargetUrl = target,
                Endpoint = endpoint,
                StripPrefixLength = api.StripListenPath && listenPath != "/" ? listenPath.Length : 0,
                TargetBasePath = Encoding.ASCII.GetBytes(basePath),
                UpstreamHost = api.PreserveHostHeader ? [] : Encoding.ASCII.GetBytes(authority),
                UpstreamCertificates = apiCertificates,
                CertificateReason = reason,
                UpstreamTimeout = TimeSpan.FromSeconds(api.UpstreamTimeoutSeconds ?? config.Limits.UpstreamResponseTimeoutSeconds),
                Auth = BuildAuthPolicy(api.Auth),
                Websockets = api.Websockets,
                Metrics = metrics.Api(api.Name!),
                MaxBodyBytes = (api.MaxBodyBytes ?? config.Limits.MaxRequestBodyBytes) is var max && max > 0 ? max : long.MaxValue,
                ForwardClientCertificate = api.ForwardClientCertificate,
            };
            apis.Add(proxyApi);
            routes.Add((api.Hosts, listenPath, proxyApi));
        }

        var limits = config.Limits;
        return new GatewaySnapshot
        {
            Source = loaded,
            Listeners = listeners,
            Routes = new RouteTable<ProxyApi>(routes),
            Apis = apis,
            Keystores = keystores,
            Truststores = truststores,
            ParserLimits = new HttpParserLimits
            {
                MaxRequestLineBytes = limits.MaxRequestLineBytes,
                MaxHeadBytes = limits.MaxRequestHeadBytes,
                MaxHeaderCount = limits.MaxHeaderCount,
            },
            HandshakeTimeout = TimeSpan.FromSeconds(limits.HandshakeTimeoutSeconds),
            RequestBodyTimeout = TimeSpan.FromSeconds(limits.RequestBodyTimeoutSeconds),
            RequestHeadTimeout = TimeSpan.FromSeconds(limits.RequestHeadTimeoutSeconds),
            KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds),
            UpstreamResponseTimeout = TimeSpan.FromSeconds(limits.UpstreamResponseTimeoutSeconds),
            ShutdownDrainTimeout = TimeSpan.FromSeconds(limits.ShutdownDrainSeconds),
            GlobalUpstreamCertificates = globalCertificates,
            ClientProfiles = clientProfiles,
            DetailedUpstreamErrors = config.DetailedUpstreamErrors,
            Applications = applications,
        };
    }

    /// <summary>A profile that allows TLS 1.0/1.1 on a platform that refuses them would fail every such client: say so now.</summary>
    private static void CheckLegacyProtocols(LoadedConfig loaded, List<ConfigError> errors)
    {
        var probed = new Dictionary<string, bool>();
        void Check(string path, List<string> protocols)
        {
            foreach (var version in protocols)
            {
                if (version is not ("1.0" or "1.1"))
                {
                    continue;
                }
                if (!probed.TryGetValue(version, out var works))
                {
                    probed[version] = works = TlsProtocolProbe.Negotiates(TlsProtocols.Parse([version]));
                }
                if (!works)
                {
                    errors.Add(new ConfigError(loaded.FilePath, path,
                        $"TLS {version} is refused by this machine's TLS library (OpenSSL's MinProtocol/security level); remove it or allow it in the system OpenSSL configuration"));
                }
            }
        }
        foreach (var (name, profile) in loaded.Config.TlsServerProfiles)
        {
            Check($"$.tls_server_profiles['{name}'].protocols", profile.Protocols);
        }
        foreach (var (name, profile) in loaded.Config.TlsClientProfiles)
        {
            Check($"$.tls_client_profiles['{name}'].protocols", profile.Protocols);
        }
    }

    private static AuthPolicy BuildAuthPolicy(ApiAuthConfig auth)
    {
        if (auth.Type != "tls-cert")
        {
            return AuthPolicy.None;
        }
        var networks = new List<IPNetwork>();
        foreach (var source in auth.CertificateHeader?.TrustedSources ?? [])
        {
            if (ConfigValidator.TryParseNetwork(source, out var network))
            {
                networks.Add(network);
            }
        }
        return new AuthPolicy(AuthType.TlsCert, auth.ClientIdHeader, auth.CertificateHeader?.Name, networks);
    }

    private static ApplicationRegistry BuildApplications(LoadedConfig loaded, List<ConfigError> errors)
    {
        var byFingerprint = new Dictionary<string, Application>(StringComparer.Ordinal);
        foreach (var (name, config) in loaded.Config.Applications)
        {
            var application = new Application(name, config.ClientId!, new HashSet<string>(config.Subscriptions, StringComparer.Ordinal));
            void Claim(string fingerprint, string path)
            {
                if (byFingerprint.TryGetValue(fingerprint, out var other) && other != application)
                {
                    errors.Add(new ConfigError(loaded.FilePath, path, $"the same certificate also identifies application '{other.Name}'"));
                }
                byFingerprint[fingerprint] = application;
            }
            for (var i = 0; i < config.Certificates.Count; i++)
            {
                var path = $"$.applications['{name}'].certificates[{i}]";
                try
                {
                    foreach (var certificate in KeystoreLoader.LoadPemCertificates(loaded.ResolvePath(config.Certificates[i])))
                    {
                        Claim(certificate.GetCertHashString(HashAlgorithmName.SHA256), path);
                    }
                }
                catch (CertificateLoadException e)
                {
                    errors.Add(new ConfigError(loaded.FilePath, path, e.Message));
                }
            }
            for (var i = 0; i < config.Fingerprints.Count; i++)
            {
                Claim(CertificateFingerprint.NormalizeSha256(config.Fingerprints[i])!, $"$.applications['{name}'].fingerprints[{i}]");
            }
        }
        return new ApplicationRegistry(byFingerprint);
    }

    /// <summary>The API's own map wins when any of its keys matches; then the global map (Tyk's rule).</summary>
    public static (ClientCertificate? Certificate, string Reason) ChooseClientCertificate(
        UpstreamCertificateMap<ClientCertificate> api, UpstreamCertificateMap<ClientCertificate> global, string host, int port)
    {
        if (api.TryFind(host, port, out var certificate, out var key))
        {
            return (certificate, $"API-level key '{key}'");
        }
        if (global.TryFind(host, port, out certificate, out key))
        {
            return (certificate, $"global key '{key}'");
        }
        return (null, "no upstream_certificates key matches: no client certificate");
    }

    private static List<System.Net.Security.TlsCipherSuite>? CipherSuites(List<string> names)
    {
        if (names.Count == 0)
        {
            return null;
        }
        var suites = new List<System.Net.Security.TlsCipherSuite>(names.Count);
        foreach (var name in names)
        {
            suites.Add(Enum.Parse<System.Net.Security.TlsCipherSuite>(name));
        }
        return suites;
    }
}
