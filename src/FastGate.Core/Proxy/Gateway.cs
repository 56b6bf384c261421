using System.Net.Sockets;
using FastGate.Core.Configuration;
using FastGate.Core.Observability;
using FastGate.Core.Tls;
using FastGate.Core.Transport;
using FastGate.Core.Upstream;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Proxy;

/// <summary>
/// A running gateway: the current snapshot, its listeners, the proxy handler and the upstream pools. Reloads
/// build a whole new snapshot and swap it atomically; a reload that fails keeps the last good one. Thread-safe.
/// </summary>
internal sealed class Gateway : IAsyncDisposable, IStatusSource
{
    private readonly ILogger _logger;
    private readonly ILogger _transportLogger;
    private readonly ProxyConnectionHandler _handler;
    private readonly Lock _reloadLock = new();
    private readonly Timer _expiryTimer;
    private volatile IReadOnlyList<SocketListener> _listeners = [];
    private FileChangeWatcher? _watcher;
    private SocketListener? _admin;
    private int _stopped;
    private long _reloads;
    private long _reloadFailures;
    private readonly (bool StatelessTickets, int CacheSize) _tlsSessionsAtStart;
    private readonly int _eventLoopsAtStart;

    private Gateway(GatewayState state, UpstreamConnectionPool pools, MetricsRegistry metrics, ILoggerFactory loggerFactory)
    {
        State = state;
        Pools = pools;
        Metrics = metrics;
        StartedAt = DateTime.UtcNow;
        _logger = loggerFactory.CreateLogger("FastGate.Gateway");
        _transportLogger = loggerFactory.CreateLogger("FastGate.Transport");
        var sessions = state.Current.Source.Config.TlsSessions;
        _tlsSessionsAtStart = (sessions.StatelessTickets, sessions.CacheSize);
        _eventLoopsAtStart = state.Current.Source.Config.EventLoops;
        var accessLog = state.Current.Source.Config.AccessLog;
        AccessLog = accessLog.Enabled ? new AccessLogWriter(accessLog.Path == "stdout" ? null : state.Current.Source.ResolvePath(accessLog.Path)) : null;
        _handler = new ProxyConnectionHandler(state, loggerFactory.CreateLogger("FastGate.Proxy"), metrics, AccessLog, accessLog.Format == "combined");
        var interval = TimeSpan.FromHours(state.Current.Source.Config.CertificateExpiry.CheckIntervalHours);
        _expiryTimer = new Timer(static self => ((Gateway)self!).CheckCertificateExpiry(), this, interval, interval);
    }

    public GatewayState State { get; }
    public UpstreamConnectionPool Pools { get; }
    public MetricsRegistry Metrics { get; }
    public AccessLogWriter? AccessLog { get; }

    /// <summary>The connection handler of the proxy listeners (the whole-exchange benchmark drives it directly).</summary>
    internal ProxyConnectionHandler Handler => _handler;
    public DateTime StartedAt { get; }

    /// <summary>Configuration loaded and every listener bound, and not shutting down.</summary>
    public bool IsReady => Volatile.Read(ref _stopped) == 0 && _listeners.Count > 0;
    public IReadOnlyList<SocketListener> Listeners => _listeners;
    public long ReloadCount => Interlocked.Read(ref _reloads);
    public long ReloadFailureCount => Interlocked.Read(ref _reloadFailures);

    /// <summary>Compiles the configuration and binds every listener.</summary>
    /// <exception cref="ConfigException">A certificate or key in the configuration cannot be used.</exception>
    public static Gateway Start(LoadedConfig config, ILoggerFactory loggerFactory)
    {
        var transport = TransportSelection.Resolve(config.Config.Transport);
        // Before the pools are built: each keeps its idle connections by loop.
        var loopsAsConfigured = transport != TransportKind.Epoll || EpollLoop.TryConfigure(config.Config.EventLoops);
        var pools = new UpstreamConnectionPool(TimeSpan.FromSeconds(1), transport);
        var metrics = new MetricsRegistry();
        // Before the snapshot reads the certificates: a change made while it does is then seen by the watcher.
        (List<string> Files, byte[] Baseline)? watch = config.Config.Reload.WatchFiles ? config.WatchBaseline() : null;
        GatewaySnapshot snapshot;
        try
        {
            snapshot = GatewaySnapshotBuilder.Build(config, pools, metrics);
        }
        catch
        {
            pools.Dispose();
            throw;
        }
        var gateway = new Gateway(new GatewayState(snapshot), pools, metrics, loggerFactory);
        try
        {
            var transportSetting = TransportSelection.Describe(transport, config.Config.Transport, config.Config.EventLoops);
            GatewayLog.RuntimeSetting(gateway._logger, transportSetting);
            if (!loopsAsConfigured)
            {
                GatewayLog.NeedsRestart(gateway._logger, "$.event_loops"); // loops of another gateway in this process run already
            }
            if (transport == TransportKind.Epoll)
            {
                EpollLoop.ReportErrorsTo(gateway._transportLogger);
            }
            gateway.Describe(snapshot);
            gateway._listeners = gateway.BindListeners(snapshot, []);
            gateway.CheckCertificateExpiry();
            if (config.Config.Admin is { } admin && Infrastructure.EndpointParser.TryParse(admin.Address, out var adminEndpoint))
            {
                gateway._admin = new SocketListener("admin", adminEndpoint, 256, new Admin.AdminConnectionHandler(gateway), gateway._transportLogger);
                gateway._admin.Start("admin: /healthz /readyz /metrics /status.json /");
            }
            if (watch is { } watched)
            {
                gateway._watcher = new FileChangeWatcher(TimeSpan.FromSeconds(config.Config.Reload.WatchIntervalSeconds), () => gateway.Reload("file change"));
                gateway._watcher.Watch(watched.Files, watched.Baseline);
            }
        }
        catch
        {
            _ = gateway.DisposeAsync().AsTask();
            throw;
        }
        return gateway;
    }

    /// <summary>
    /// Loads the configuration file again and swaps in a new snapshot: new handshakes and requests use it,
    /// connections in flight finish on the old one. Listener addresses that changed are bound first (a bind
    /// failure rejects the whole reload). Returns false, keeping the last good snapshot, on any error.
    /// </summary>
    public bool Reload(string reason)
    {
        lock (_reloadLock)
        {
            if (Volatile.Read(ref _stopped) != 0)
            {
                return false;
            }
            var current = State.Current.Source;
            var file = current.FilePath;
            GatewaySnapshot next;
            LoadedConfig loaded;
            byte[]? read = null;
            (List<string> Files, byte[] Baseline)? watch = null;
            try
            {
                loaded = ConfigLoader.Load(file, out read);
                if (_watcher is not null)
                {
                    watch = loaded.WatchBaseline(); // before the snapshot reads the certificates
                }
                next = GatewaySnapshotBuilder.Build(loaded, Pools, Metrics);
            }
            catch (ConfigException e)
            {
                Interlocked.Increment(ref _reloadFailures);
                foreach (var error in e.Errors)
                {
                    GatewayLog.ReloadError(_logger, error.File, error.JsonPath, error.Message);
                }
                GatewayLog.ReloadRejected(_logger, reason, e.Errors.Count);
                if (_watcher is not null)
                {
                    // Try again once anything differs from what this attempt read: a file it read half-written is
                    // loaded when its writer finishes, even if that was before this line.
                    if (watch is not { } retry)
                    {
                        var files = ReferencedFiles.Of(current);
                        retry = (files, FileChangeWatcher.Fingerprint(files, file, read));
                    }
                    _watcher.Watch(retry.Files, retry.Baseline);
                }
                return false;
            }

            IReadOnlyList<SocketListener> listeners;
            try
            {
                listeners = BindListeners(next, _listeners);
            }
            catch (SocketException e)
            {
                Interlocked.Increment(ref _reloadFailures);
                GatewayLog.ReloadError(_logger, file, "$.listeners", $"cannot listen: {e.Message}");
                GatewayLog.ReloadRejected(_logger, reason, 1);
                return false;
            }

            var previous = _listeners;
            State.Swap(next);
            _listeners = listeners;
            foreach (var old in previous)
            {
                if (!Contains(listeners, old))
                {
                    _ = old.StopAcceptingAsync(); // its connections finish on the snapshot they started with
                }
            }
            if (watch is { } watched)
            {
                _watcher?.Watch(watched.Files, watched.Baseline);
            }
            Interlocked.Increment(ref _reloads);
            GatewayLog.Reloaded(_logger, reason, next.Listeners.Count, next.Apis.Count);
            if ((loaded.Config.TlsSessions.StatelessTickets, loaded.Config.TlsSessions.CacheSize) != _tlsSessionsAtStart)
            {
                GatewayLog.NeedsRestart(_logger, "$.tls_sessions");
            }
            if (TransportSelection.Resolve(loaded.Config.Transport) != Pools.Transport)
            {
                GatewayLog.NeedsRestart(_logger, "$.transport");
            }
            if (loaded.Config.EventLoops != _eventLoopsAtStart)
            {
                GatewayLog.NeedsRestart(_logger, "$.event_loops");
            }
            Describe(next);
            CheckCertificateExpiry();
            return true;
        }
    }

    /// <summary>Keeps listeners whose name and address are unchanged; binds the others (all or nothing).</summary>
    private List<SocketListener> BindListeners(GatewaySnapshot snapshot, IReadOnlyList<SocketListener> existing)
    {
        var result = new List<SocketListener>();
        var created = new List<SocketListener>();
        try
        {
            foreach (var listener in snapshot.Listeners.Values)
            {
                SocketListener? kept = null;
                foreach (var candidate in existing)
                {
                    if (candidate.Name == listener.Name && candidate.ConfiguredEndPoint.Equals(listener.Endpoint) && !candidate.IsStopping)
                    {
                        kept = candidate;
                    }
                }
                if (kept is not null)
                {
                    kept.MaxConnections = listener.MaxConnections;
                    result.Add(kept);
                    continue;
                }
                var bound = new SocketListener(listener.Name, listener.Endpoint, listener.MaxConnections, _handler, _transportLogger, Pools.Transport);
                created.Add(bound);
                result.Add(bound);
            }
        }
        catch
        {
            foreach (var listener in created)
            {
                _ = listener.DisposeAsync().AsTask();
            }
            throw;
        }
        foreach (var listener in created)
        {
            listener.Start(snapshot.Listeners[listener.Name].Tls is null ? "http" : "https");
        }
        return result;
    }

    private static bool Contains(IReadOnlyList<SocketListener> listeners, SocketListener listener)
    {
        foreach (var candidate in listeners)
        {
            if (ReferenceEquals(candidate, listener))
            {
                return true;
            }
        }
        return false;
    }

#pragma warning disable CA1873 // start-up and reload only, guarded by IsEnabled
    private void Describe(GatewaySnapshot snapshot)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        GatewayLog.ConfigLoaded(_logger, snapshot.Source.FilePath, snapshot.Listeners.Count, snapshot.Apis.Count);
        foreach (var keystore in snapshot.Keystores.Values)
        {
            GatewayLog.KeystoreInUse(_logger, keystore.Name, keystore.Certificate.Subject, keystore.Certificate.NotAfter.ToUniversalTime(), keystore.Source);
        }
        foreach (var api in snapshot.Source.Config.Apis)
        {
            GatewayLog.ApiRoute(_logger, api.Name!, api.ListenPath!, api.Hosts.Count == 0 ? "any host" : string.Join(", ", api.Hosts), api.TargetUrl!);
        }
        foreach (var (name, profile) in snapshot.Source.Config.TlsServerProfiles)
        {
            if (profile.AllowLegacyProtocols)
            {
                GatewayLog.LegacyProtocols(_logger, name, string.Join(", ", profile.Protocols));
            }
        }
        foreach (var (name, profile) in snapshot.Source.Config.TlsClientProfiles)
        {
            if (profile.AllowLegacyProtocols)
            {
                GatewayLog.LegacyProtocols(_logger, name, string.Join(", ", profile.Protocols));
            }
        }
        foreach (var profile in snapshot.ClientProfiles.Values)
        {
            if (profile.InsecureSkipVerify)
            {
                GatewayLog.InsecureSkipVerify(_logger, profile.Name);
            }
        }
        foreach (var api in snapshot.Apis)
        {
            if (api.Endpoint.ClientCertificate is { } certificate)
            {
                GatewayLog.UpstreamCertificate(_logger, api.Name, certificate.Name, api.CertificateReason);
            }
        }
    }
#pragma warning restore CA1873

    /// <summary>Warns at warning_days, errs at error_days, and says loudly when a certificate in use has expired.</summary>
#pragma warning disable CA1873 // hourly, not on the request path
    public void CheckCertificateExpiry()
    {
        var snapshot = State.Current;
        var settings = snapshot.Source.Config.CertificateExpiry;
        var now = DateTime.UtcNow;
        foreach (var entry in CertificateInventory.Of(snapshot))
        {
            var status = entry.Status(now, settings.WarningDays, settings.ErrorDays);
            var days = entry.DaysLeft(now);
            switch (status)
            {
                case ExpiryStatus.Expired:
                    GatewayLog.CertificateExpired(_logger, entry.Certificate.Subject, entry.Usage, entry.Certificate.NotAfter.ToUniversalTime(), entry.Source);
                    break;
                case ExpiryStatus.Critical:
                    GatewayLog.CertificateExpiresSoon(_logger, entry.Certificate.Subject, entry.Usage, days, entry.Source);
                    break;
                case ExpiryStatus.Warning:
                    GatewayLog.CertificateExpiryWarning(_logger, entry.Certificate.Subject, entry.Usage, days, entry.Source);
                    break;
                case ExpiryStatus.NotYetValid:
                    GatewayLog.CertificateNotYetValid(_logger, entry.Certificate.Subject, entry.Usage, entry.Certificate.NotBefore.ToUniversalTime());
                    break;
            }
        }
    }
#pragma warning restore CA1873

    public GatewayStatus Status()
    {
        var snapshot = State.Current;
        var now = DateTime.UtcNow;
        var listeners = new List<ListenerStatus>();
        foreach (var listener in _listeners)
        {
            var metrics = Metrics.Listener(listener.Name);
            listeners.Add(new ListenerStatus(listener.Name, listener.LocalEndPoint.ToString(),
                snapshot.Listeners.TryGetValue(listener.Name, out var configured) && configured.Tls is not null,
                listener.ActiveConnections, metrics.Connections, metrics.Handshakes));
        }
        var apis = new List<ApiStatus>();
        foreach (var api in snapshot.Apis)
        {
            var config = snapshot.Source.Config.Apis.Find(a => a.Name == api.Name)!;
            apis.Add(new ApiStatus(api.Name, config.ListenPath!, config.Hosts.Count == 0 ? "*" : string.Join(", ", config.Hosts), api.TargetUrl.ToString(),
                api.Endpoint.Key, config.Auth.Type, api.Metrics.TotalRequests, api.Metrics.Errors));
        }
        var pools = new List<PoolStatus>();
        foreach (var pool in Pools.Pools)
        {
            pools.Add(new PoolStatus(pool.Key, pool.OpenCount, pool.IdleCount, pool.CreatedCount, pool.ReusedCount));
        }
        var expiry = snapshot.Source.Config.CertificateExpiry;
        var certificates = new List<CertificateStatus>();
        foreach (var entry in CertificateInventory.Of(snapshot))
        {
            certificates.Add(new CertificateStatus(entry.Certificate.Subject, entry.SubjectAlternativeNames, entry.Certificate.Issuer, entry.Usage, entry.Source,
                entry.Certificate.NotAfter.ToUniversalTime(), Math.Round(entry.DaysLeft(now), 2), entry.Status(now, expiry.WarningDays, expiry.ErrorDays).ToString()));
        }
        return new GatewayStatus(StartedAt, IsReady, snapshot.Source.FilePath, ReloadCount, ReloadFailureCount, AccessLog?.Dropped ?? 0,
            listeners, apis, pools, certificates);
    }

    public SocketListener Listener(string name)
    {
        if (name == "admin" && _admin is not null)
        {
            return _admin;
        }
        foreach (var listener in _listeners)
        {
            if (listener.Name == name)
            {
                return listener;
            }
        }
        throw new KeyNotFoundException($"no listener named '{name}'");
    }

    /// <summary>Stops accepting, closes idle keep-alive connections, lets requests in flight finish within the drain timeout.</summary>
    public async Task StopAsync()
    {
        lock (_reloadLock)
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }
        }
        _watcher?.Dispose();
        await _expiryTimer.DisposeAsync().ConfigureAwait(false);
        var listeners = _listeners;
        foreach (var listener in listeners)
        {
            await listener.StopAcceptingAsync().ConfigureAwait(false);
        }
        _handler.CloseIdleConnections();
        var drain = State.Current.ShutdownDrainTimeout;
        var open = 0;
        foreach (var listener in listeners)
        {
            open += listener.ActiveConnections;
        }
        GatewayLog.Draining(_logger, open, drain.TotalSeconds);
        var deadline = DateTime.UtcNow + drain;
        foreach (var listener in listeners)
        {
            var left = deadline - DateTime.UtcNow;
            if (!await listener.WaitForDrainAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false))
            {
                GatewayLog.DrainTimedOut(_logger, listener.ActiveConnections);
            }
        }
        Pools.Dispose();
        _handler.Dispose();
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
        if (AccessLog is not null)
        {
            await AccessLog.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
