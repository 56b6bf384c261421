using FastGate.Core.Configuration;
using FastGate.Core.Transport;
using FastGate.Core.Upstream;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Proxy;

/// <summary>A running gateway: the current snapshot, its listeners, the proxy handler and the upstream pools.</summary>
internal sealed class Gateway : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ProxyConnectionHandler _handler;
    private readonly List<SocketListener> _listeners = [];
    private int _stopped;

    private Gateway(GatewayState state, UpstreamConnectionPool pools, ILoggerFactory loggerFactory)
    {
        State = state;
        Pools = pools;
        _logger = loggerFactory.CreateLogger("FastGate.Gateway");
        _handler = new ProxyConnectionHandler(state, loggerFactory.CreateLogger("FastGate.Proxy"));
    }

    public GatewayState State { get; }
    public UpstreamConnectionPool Pools { get; }
    public IReadOnlyList<SocketListener> Listeners => _listeners;

    /// <summary>Compiles the configuration and binds every listener.</summary>
    /// <exception cref="ConfigException">A certificate or key in the configuration cannot be used.</exception>
    public static Gateway Start(LoadedConfig config, ILoggerFactory loggerFactory)
    {
        var pools = new UpstreamConnectionPool(TimeSpan.FromSeconds(1));
        GatewaySnapshot snapshot;
        try
        {
            snapshot = GatewaySnapshotBuilder.Build(config, pools);
        }
        catch
        {
            pools.Dispose();
            throw;
        }
        var gateway = new Gateway(new GatewayState(snapshot), pools, loggerFactory);
        try
        {
            gateway.Bind(snapshot, loggerFactory.CreateLogger("FastGate.Transport"));
        }
        catch
        {
            _ = gateway.DisposeAsync().AsTask();
            throw;
        }
        return gateway;
    }

    private void Bind(GatewaySnapshot snapshot, ILogger transportLogger)
    {
#pragma warning disable CA1873 // start-up only, and guarded by IsEnabled
        if (_logger.IsEnabled(LogLevel.Information))
        {
            GatewayLog.ConfigLoaded(_logger, snapshot.Source.FilePath, snapshot.Listeners.Count, snapshot.Apis.Count);
            foreach (var keystore in snapshot.Keystores.Values)
            {
                GatewayLog.KeystoreInUse(_logger, keystore.Name, keystore.Certificate.Subject, keystore.Certificate.NotAfter.ToUniversalTime(), keystore.Source);
            }
            foreach (var api in snapshot.Source.Config.Apis)
            {
                GatewayLog.ApiRoute(_logger, api.Name!, api.ListenPath!, api.Hosts.Count == 0 ? "any host" : string.Join(", ", api.Hosts), api.TargetUrl!);
            }
        }
#pragma warning restore CA1873
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
        foreach (var listener in snapshot.Listeners.Values)
        {
            var socketListener = new SocketListener(listener.Name, listener.Endpoint, listener.MaxConnections, _handler, transportLogger);
            _listeners.Add(socketListener);
            socketListener.Start(listener.Tls is null ? "http" : "https");
        }
    }

    public SocketListener Listener(string name)
    {
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
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        foreach (var listener in _listeners)
        {
            await listener.StopAcceptingAsync().ConfigureAwait(false);
        }
        _handler.CloseIdleConnections();
        var drain = State.Current.ShutdownDrainTimeout;
        var open = 0;
        foreach (var listener in _listeners)
        {
            open += listener.ActiveConnections;
        }
        GatewayLog.Draining(_logger, open, drain.TotalSeconds);
        var deadline = DateTime.UtcNow + drain;
        foreach (var listener in _listeners)
        {
            var left = deadline - DateTime.UtcNow;
            if (!await listener.WaitForDrainAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false))
            {
                GatewayLog.DrainTimedOut(_logger, listener.ActiveConnections);
            }
        }
        Pools.Dispose();
        _handler.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
