using System.Net;
using System.Text.Json;
using FastGate.Core.Configuration;
using FastGate.Core.Proxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>
/// Starts a real gateway from a configuration written to a JSON file (so the loader and validator run too), on
/// ephemeral loopback ports.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly Gateway _gateway;

    private GatewayHost(Gateway gateway, string configFile)
    {
        _gateway = gateway;
        ConfigFile = configFile;
    }

    public string ConfigFile { get; }
    internal Gateway Gateway => _gateway;

    internal static GatewayHost Start(GatewayConfig config, string directory, ILoggerFactory? loggerFactory = null)
    {
        var file = Path.Combine(directory, $"fastgate-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(config, ConfigJsonContext.Default.GatewayConfig));
        var loaded = ConfigLoader.Load(file);
        return new GatewayHost(Gateway.Start(loaded, loggerFactory ?? NullLoggerFactory.Instance), file);
    }

    public IPEndPoint Endpoint(string listener = "https") => _gateway.Listener(listener).LocalEndPoint;

    /// <summary>Writes a new version of the configuration file (as an operator's edit would).</summary>
    internal void Rewrite(GatewayConfig config) =>
        File.WriteAllText(ConfigFile, JsonSerializer.Serialize(config, ConfigJsonContext.Default.GatewayConfig));

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();
}
