using FastGate.Core.Infrastructure;

namespace FastGate.Core.Configuration;

/// <summary>Checks a whole configuration and reports every error at once (not just the first).</summary>
internal static class ConfigValidator
{
    private static readonly string[] KnownProtocols = ["1.0", "1.1", "1.2", "1.3"];

    public static List<ConfigError> Validate(LoadedConfig loaded)
    {
        var errors = new List<ConfigError>();
        var config = loaded.Config;
        void Error(string path, string message) => errors.Add(new ConfigError(loaded.FilePath, path, message));
        void FileMustExist(string path, string? file, string what)
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                Error(path, $"{what} is required");
            }
            else if (!File.Exists(loaded.ResolvePath(file)) && !IsDevelopmentCertificate(loaded, file))
            {
                Error(path, $"{what} '{loaded.ResolvePath(file)}' does not exist");
            }
        }
        void CipherSuitesMustBeKnown(string path, List<string> suites)
        {
            for (var i = 0; i < suites.Count; i++)
            {
                if (!CipherSuiteNames.IsKnown(suites[i]))
                {
                    Error($"{path}[{i}]", $"unknown cipher suite '{suites[i]}'; use IANA names such as {CipherSuiteNames.Suggested()}");
                }
            }
        }
        void ValidateUpstreamCertificates(string path, Dictionary<string, string> map)
        {
            var seen = new HashSet<UpstreamCertificateKey>();
            foreach (var (key, keystore) in map)
            {
                if (!UpstreamCertificateKey.TryParse(key, out var parsed, out var reason))
                {
                    Error($"{path}['{key}']", reason);
                }
                else if (!seen.Add(parsed))
                {
                    Error($"{path}['{key}']", $"the key '{parsed}' is listed twice (keys are case-insensitive)");
                }
                if (!config.Keystores.ContainsKey(keystore))
                {
                    Error($"{path}['{key}']", $"no keystore named '{keystore}' (known: {Known(config.Keystores.Keys)})");
                }
            }
        }
        void ValidateAuth(string path, ApiAuthConfig auth)
        {
            if (auth.Type is not ("none" or "tls-cert"))
            {
                Error($"{path}.type", $"'{auth.Type}' is not one of none, tls-cert");
            }
            if (auth.ClientIdHeader is not null && (auth.ClientIdHeader.Length == 0 || auth.ClientIdHeader.AsSpan().ContainsAnyExcept(TokenChars)))
            {
                Error($"{path}.client_id_header", $"'{auth.ClientIdHeader}' is not a header name");
            }
            if (auth.CertificateHeader is { } header)
            {
                if (header.Name.Length == 0 || header.Name.AsSpan().ContainsAnyExcept(TokenChars))
                {
                    Error($"{path}.certificate_header.name", $"'{header.Name}' is not a header name");
                }
                if (header.TrustedSources.Count == 0)
                {
                    Error($"{path}.certificate_header.trusted_sources", "list the load balancers' addresses: a certificate header from anyone would let any client claim any identity");
                }
                for (var i = 0; i < header.TrustedSources.Count; i++)
                {
                    if (!TryParseNetwork(header.TrustedSources[i], out _))
                    {
                        Error($"{path}.certificate_header.trusted_sources[{i}]", $"'{header.TrustedSources[i]}' is not an IP address or CIDR range");
                    }
                }
            }
        }
        void ProtocolsMustBeKnown(string path, List<string> protocols, bool allowLegacy)
        {
            if (protocols.Count == 0)
            {
                Error(path, "at least one TLS protocol version is required (\"1.2\", \"1.3\")");
            }
            for (var i = 0; i < protocols.Count; i++)
            {
                if (Array.IndexOf(KnownProtocols, protocols[i]) < 0)
                {
                    Error($"{path}[{i}]", $"unknown TLS protocol version '{protocols[i]}'; use \"1.2\" or \"1.3\"");
                }
                else if (protocols[i] is "1.0" or "1.1" && !allowLegacy)
                {
                    Error($"{path}[{i}]", $"TLS {protocols[i]} is a legacy version: set allow_legacy_protocols: true in this profile to permit it");
                }
            }
        }

        foreach (var (name, keystore) in config.Keystores)
        {
            var path = $"$.keystores['{name}']";
            var kinds = (keystore.Pfx is null ? 0 : 1) + (keystore.KubernetesSecret is null ? 0 : 1)
                        + (keystore.Certificate is null && keystore.PrivateKey is null ? 0 : 1);
            if (kinds > 1)
            {
                Error(path, "give one of: certificate + private_key, pfx, or kubernetes_secret");
            }
            else if (keystore.KubernetesSecret is not null)
            {
                var dir = loaded.ResolvePath(keystore.KubernetesSecret);
                if (!Directory.Exists(dir))
                {
                    Error($"{path}.kubernetes_secret", $"the secret directory '{dir}' does not exist");
                }
                else
                {
                    FileMustExist($"{path}.kubernetes_secret", Path.Combine(dir, "tls.crt"), "the secret's tls.crt");
                    FileMustExist($"{path}.kubernetes_secret", Path.Combine(dir, "tls.key"), "the secret's tls.key");
                }
            }
            else if (keystore.Pfx is not null)
            {
                FileMustExist($"{path}.pfx", keystore.Pfx, "the PFX file");
            }
            else
            {
                FileMustExist($"{path}.certificate", keystore.Certificate, "the certificate file (PEM)");
                FileMustExist($"{path}.private_key", keystore.PrivateKey, "the private key file (PEM)");
            }
        }

        foreach (var (name, truststore) in config.Truststores)
        {
            var path = $"$.truststores['{name}'].certificates";
            if (truststore.Certificates.Count == 0)
            {
                Error(path, "a truststore needs at least one CA certificate file");
            }
            for (var i = 0; i < truststore.Certificates.Count; i++)
            {
                FileMustExist($"{path}[{i}]", truststore.Certificates[i], "the CA certificate file");
            }
            for (var i = 0; i < truststore.Crls.Count; i++)
            {
                FileMustExist($"$.truststores['{name}'].crls[{i}]", truststore.Crls[i], "the CRL file");
            }
        }

        foreach (var (name, profile) in config.TlsServerProfiles)
        {
            var path = $"$.tls_server_profiles['{name}']";
            if (string.IsNullOrWhiteSpace(profile.Keystore))
            {
                Error($"{path}.keystore", "a TLS server profile needs a keystore");
            }
            else if (!config.Keystores.ContainsKey(profile.Keystore))
            {
                Error($"{path}.keystore", $"no keystore named '{profile.Keystore}' (known: {Known(config.Keystores.Keys)})");
            }
            ProtocolsMustBeKnown($"{path}.protocols", profile.Protocols, profile.AllowLegacyProtocols);
            CipherSuitesMustBeKnown($"{path}.cipher_suites", profile.CipherSuites);
            if (profile.ClientCertificateMode is not ("none" or "request" or "require"))
            {
                Error($"{path}.client_certificate_mode", $"'{profile.ClientCertificateMode}' is not one of none, request, require");
            }
            if (profile.Truststore is not null && !config.Truststores.ContainsKey(profile.Truststore))
            {
                Error($"{path}.truststore", $"no truststore named '{profile.Truststore}' (known: {Known(config.Truststores.Keys)})");
            }
            else if (profile.ClientCertificateMode is "request" or "require" && profile.Truststore is null && !profile.UseSystemTrustStore)
            {
                Error($"{path}.truststore", "mutual TLS needs a truststore for client certificates (or use_system_trust_store: true)");
            }
        }

        foreach (var (name, application) in config.Applications)
        {
            var path = $"$.applications['{name}']";
            if (string.IsNullOrWhiteSpace(application.ClientId))
            {
                Error($"{path}.client_id", "an application needs a client id");
            }
            if (application.Certificates.Count == 0 && application.Fingerprints.Count == 0)
            {
                Error(path, "an application needs at least one certificate (file) or fingerprint (SHA-256)");
            }
            for (var i = 0; i < application.Certificates.Count; i++)
            {
                FileMustExist($"{path}.certificates[{i}]", application.Certificates[i], "the certificate file");
            }
            for (var i = 0; i < application.Fingerprints.Count; i++)
            {
                if (CertificateFingerprint.NormalizeSha256(application.Fingerprints[i]) is null)
                {
                    Error($"{path}.fingerprints[{i}]", "not a SHA-256 fingerprint (64 hex digits, colons allowed)");
                }
            }
            for (var i = 0; i < application.Subscriptions.Count; i++)
            {
                if (!config.Apis.Exists(api => api.Name == application.Subscriptions[i]))
                {
                    Error($"{path}.subscriptions[{i}]", $"no API named '{application.Subscriptions[i]}'");
                }
            }
        }
        var clientIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, application) in config.Applications)
        {
            if (application.ClientId is { } id && !clientIds.TryAdd(id, name))
            {
                Error($"$.applications['{name}'].client_id", $"application '{clientIds[id]}' has the same client id");
            }
        }

        foreach (var (name, profile) in config.TlsClientProfiles)
        {
            var path = $"$.tls_client_profiles['{name}']";
            if (profile.Truststore is not null && !config.Truststores.ContainsKey(profile.Truststore))
            {
                Error($"{path}.truststore", $"no truststore named '{profile.Truststore}' (known: {Known(config.Truststores.Keys)})");
            }
            ProtocolsMustBeKnown($"{path}.protocols", profile.Protocols, profile.AllowLegacyProtocols);
            CipherSuitesMustBeKnown($"{path}.cipher_suites", profile.CipherSuites);
            if (profile.Sni is not null && !HostNames.IsValidPattern(profile.Sni) || profile.Sni?.StartsWith('*') == true)
            {
                Error($"{path}.sni", $"'{profile.Sni}' is not a host name");
            }
        }

        ValidateUpstreamCertificates("$.upstream_certificates", config.UpstreamCertificates);

        if (config.Listeners.Count == 0)
        {
            Error("$.listeners", "at least one listener is required");
        }
        var addresses = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            var path = $"$.listeners[{i}]";
            if (!EndpointParser.TryParse(listener.Address, out var endpoint))
            {
                Error($"{path}.address", $"'{listener.Address}' is not an IP address with a port, such as 127.0.0.1:8443 or [::]:443");
            }
            else if (endpoint.Port != 0 && !addresses.TryAdd(endpoint.ToString(), i))
            {
                Error($"{path}.address", $"{endpoint} is already used by $.listeners[{addresses[endpoint.ToString()]}]");
            }
            if (listener.MaxConnections <= 0)
            {
                Error($"{path}.max_connections", "must be greater than 0");
            }
            if (listener.Tls is { } tls)
            {
                if (string.IsNullOrWhiteSpace(tls.ServerProfile))
                {
                    Error($"{path}.tls.server_profile", "a TLS listener needs a default TLS server profile");
                }
                else if (!config.TlsServerProfiles.ContainsKey(tls.ServerProfile))
                {
                    Error($"{path}.tls.server_profile", $"no TLS server profile named '{tls.ServerProfile}' (known: {Known(config.TlsServerProfiles.Keys)})");
                }
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (host, profile) in tls.Sni)
                {
                    if (!HostNames.IsValidPattern(host))
                    {
                        Error($"{path}.tls.sni['{host}']", "not a host name or one-level wildcard such as *.example.com");
                    }
                    else if (!seen.Add(host))
                    {
                        Error($"{path}.tls.sni['{host}']", "this host name is listed twice (names are case-insensitive)");
                    }
                    if (!config.TlsServerProfiles.ContainsKey(profile))
                    {
                        Error($"{path}.tls.sni['{host}']", $"no TLS server profile named '{profile}' (known: {Known(config.TlsServerProfiles.Keys)})");
                    }
                }
            }
        }

        var apiNames = new HashSet<string>(StringComparer.Ordinal);
        var routes = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < config.Apis.Count; i++)
        {
            var api = config.Apis[i];
            var path = $"$.apis[{i}]";
            if (string.IsNullOrWhiteSpace(api.Name))
            {
                Error($"{path}.name", "an API definition needs a name");
            }
            else if (!apiNames.Add(api.Name))
            {
                Error($"{path}.name", $"another API is already named '{api.Name}'");
            }
            if (string.IsNullOrEmpty(api.ListenPath) || api.ListenPath[0] != '/' || api.ListenPath.Contains('?') || api.ListenPath.Contains('#'))
            {
                Error($"{path}.listen_path", $"'{api.ListenPath}' is not a path starting with '/' (no query or fragment)");
            }
            ValidateTargetUrl(api.TargetUrl, $"{path}.target_url", Error);
            ValidateUpstreamCertificates($"{path}.upstream_certificates", api.UpstreamCertificates);
            ValidateAuth($"{path}.auth", api.Auth);
            if (api.MaxBodyBytes is < 0)
            {
                Error($"{path}.max_body_bytes", "must be 0 (no limit) or more");
            }
            if (api.UpstreamTimeoutSeconds is <= 0)
            {
                Error($"{path}.upstream_timeout_seconds", "must be greater than 0");
            }
            if (api.TlsClientProfile is not null && !config.TlsClientProfiles.ContainsKey(api.TlsClientProfile))
            {
                Error($"{path}.tls_client_profile", $"no TLS client profile named '{api.TlsClientProfile}' (known: {Known(config.TlsClientProfiles.Keys)})");
            }
            for (var h = 0; h < api.Hosts.Count; h++)
            {
                if (!HostNames.IsValidPattern(api.Hosts[h]))
                {
                    Error($"{path}.hosts[{h}]", $"'{api.Hosts[h]}' is not a host name or one-level wildcard such as *.example.com");
                }
            }
            var listenPath = NormalizeListenPath(api.ListenPath);
            foreach (var host in api.Hosts.Count == 0 ? [""] : api.Hosts)
            {
                var key = host + " " + listenPath;
                if (!routes.TryAdd(key, i))
                {
                    Error($"{path}.listen_path", $"$.apis[{routes[key]}] already takes host '{(host.Length == 0 ? "*" : host)}' with listen path '{api.ListenPath}'");
                }
            }
        }

        var pool = config.UpstreamPool;
        if (pool.MaxConnectionsPerEndpoint <= 0)
        {
            Error("$.upstream_pool.max_connections_per_endpoint", "must be greater than 0");
        }
        if (pool.IdleTimeoutSeconds <= 0)
        {
            Error("$.upstream_pool.idle_timeout_seconds", "must be greater than 0");
        }
        if (pool.ConnectTimeoutSeconds <= 0)
        {
            Error("$.upstream_pool.connect_timeout_seconds", "must be greater than 0");
        }
        if (pool.MaxLifetimeSeconds <= 0)
        {
            Error("$.upstream_pool.max_lifetime_seconds", "must be greater than 0");
        }
        if (pool.WaitTimeoutSeconds < 0)
        {
            Error("$.upstream_pool.wait_timeout_seconds", "must be 0 or more");
        }

        var limits = config.Limits;
        if (limits.MaxRequestLineBytes < 256)
        {
            Error("$.limits.max_request_line_bytes", "must be at least 256");
        }
        if (limits.MaxRequestHeadBytes < limits.MaxRequestLineBytes)
        {
            Error("$.limits.max_request_head_bytes", "must be at least max_request_line_bytes");
        }
        if (limits.MaxRequestBodyBytes < 0)
        {
            Error("$.limits.max_request_body_bytes", "must be 0 (no limit) or more");
        }
        if (limits.MaxHeaderCount <= 0)
        {
            Error("$.limits.max_header_count", "must be greater than 0");
        }
        foreach (var (name, value) in new[]
                 {
                     ("handshake_timeout_seconds", limits.HandshakeTimeoutSeconds),
                     ("request_body_timeout_seconds", limits.RequestBodyTimeoutSeconds),
                     ("request_head_timeout_seconds", limits.RequestHeadTimeoutSeconds),
                     ("keep_alive_timeout_seconds", limits.KeepAliveTimeoutSeconds),
                     ("upstream_response_timeout_seconds", limits.UpstreamResponseTimeoutSeconds),
                     ("shutdown_drain_seconds", limits.ShutdownDrainSeconds),
                 })
        {
            if (value <= 0)
            {
                Error($"$.limits.{name}", "must be greater than 0");
            }
        }

        if (config.CertificateExpiry.ErrorDays < 0 || config.CertificateExpiry.WarningDays < config.CertificateExpiry.ErrorDays)
        {
            Error("$.certificate_expiry", "need 0 <= error_days <= warning_days");
        }
        if (config.CertificateExpiry.CheckIntervalHours <= 0)
        {
            Error("$.certificate_expiry.check_interval_hours", "must be greater than 0");
        }
        if (config.TlsSessions.CacheSize is < 1 or > 10_000_000)
        {
            Error("$.tls_sessions.cache_size", "must be between 1 and 10000000");
        }
        if (config.Transport is not ("auto" or "epoll" or "sockets"))
        {
            Error("$.transport", $"'{config.Transport}' is not one of auto, epoll, sockets");
        }
        if (config.EventLoops is < 0 or > Transport.EpollLoop.MaxCount)
        {
            Error("$.event_loops", $"must be between 0 (one per processor) and {Transport.EpollLoop.MaxCount}");
        }
        if (config.AccessLog.Format is not ("json" or "combined"))
        {
            Error("$.access_log.format", $"'{config.AccessLog.Format}' is not one of json, combined");
        }
        if (string.IsNullOrWhiteSpace(config.AccessLog.Path))
        {
            Error("$.access_log.path", "\"stdout\" or a file path");
        }
        if (config.Admin is { } admin && !EndpointParser.TryParse(admin.Address, out _))
        {
            Error("$.admin.address", $"'{admin.Address}' is not an IP address with a port");
        }
        if (config.Reload.WatchIntervalSeconds <= 0)
        {
            Error("$.reload.watch_interval_seconds", "must be greater than 0");
        }
        if (config.DevelopmentCertificates is { } dev)
        {
            if (string.IsNullOrWhiteSpace(dev.Directory))
            {
                Error("$.development_certificates.directory", "a directory for the generated certificates is required");
            }
            for (var h = 0; h < dev.Hosts.Count; h++)
            {
                if (!HostNames.IsValidPattern(dev.Hosts[h]))
                {
                    Error($"$.development_certificates.hosts[{h}]", $"'{dev.Hosts[h]}' is not a host name");
                }
            }
        }

        for (var i = 0; i < config.DemoUpstreams.Count; i++)
        {
            var demo = config.DemoUpstreams[i];
            var path = $"$.demo_upstreams[{i}]";
            if (!EndpointParser.TryParse(demo.Address, out _))
            {
                Error($"{path}.address", $"'{demo.Address}' is not an IP address with a port");
            }
            if (demo.Keystore is not null && !config.Keystores.ContainsKey(demo.Keystore))
            {
                Error($"{path}.keystore", $"no keystore named '{demo.Keystore}'");
            }
            if (demo.ClientTruststore is not null && (demo.Keystore is null || !config.Truststores.ContainsKey(demo.ClientTruststore)))
            {
                Error($"{path}.client_truststore", demo.Keystore is null
                    ? "a client truststore needs an HTTPS demo upstream (set keystore)"
                    : $"no truststore named '{demo.ClientTruststore}'");
            }
        }
        return errors;
    }

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>"10.0.0.0/8", "::1/128", or a single address.</summary>
    public static bool TryParseNetwork(string text, out System.Net.IPNetwork network)
    {
        if (System.Net.IPNetwork.TryParse(text, out network))
        {
            return true;
        }
        if (System.Net.IPAddress.TryParse(text, out var address))
        {
            network = new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }

    public static string NormalizeListenPath(string? listenPath) =>
        string.IsNullOrEmpty(listenPath) || listenPath == "/" ? "/" : listenPath.TrimEnd('/');

    private static void ValidateTargetUrl(string? url, string path, Action<string, string> error)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error(path, $"'{url}' is not an absolute http:// or https:// URL");
            return;
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            error(path, "the target URL has no host");
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            error(path, "a target URL may not carry a query, fragment or user info");
        }
    }

    /// <summary>Files inside the development certificate directory may not exist yet: they are generated at start.</summary>
    private static bool IsDevelopmentCertificate(LoadedConfig loaded, string file)
    {
        if (loaded.Config.DevelopmentCertificates?.Directory is not { } dir)
        {
            return false;
        }
        var root = loaded.ResolvePath(dir) + Path.DirectorySeparatorChar;
        return loaded.ResolvePath(file).StartsWith(root, StringComparison.Ordinal);
    }

    private static string Known(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none defined" : list;
    }
}
