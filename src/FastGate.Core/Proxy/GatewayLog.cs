using Microsoft.Extensions.Logging;

namespace FastGate.Core.Proxy;

internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Configuration {File}: {Listeners} listener(s), {Apis} API(s)")]
    public static partial void ConfigLoaded(ILogger logger, string file, int listeners, int apis);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "API {Api}: listen path {ListenPath} on {Hosts} -> {TargetUrl}")]
    public static partial void ApiRoute(ILogger logger, string api, string listenPath, string hosts, string targetUrl);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Keystore {Name}: {Subject}, expires {NotAfter:yyyy-MM-dd} ({Source})")]
    public static partial void KeystoreInUse(ILogger logger, string name, string subject, DateTime notAfter, string source);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "TLS client profile {Profile} has insecure_skip_verify: upstream certificates are NOT verified (test setups only)")]
    public static partial void InsecureSkipVerify(ILogger logger, string profile);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "API {Api}: upstream client certificate {Certificate}, chosen by {Reason}")]
    public static partial void UpstreamCertificate(ILogger logger, string api, string certificate, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Shutting down: draining {Connections} connection(s) for up to {Seconds} s")]
    public static partial void Draining(ILogger logger, int connections, double seconds);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Shutdown drain timed out with {Connections} connection(s) still open")]
    public static partial void DrainTimedOut(ILogger logger, int connections);
}
