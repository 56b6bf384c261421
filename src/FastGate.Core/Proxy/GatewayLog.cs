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

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "Configuration reloaded ({Reason}): {Listeners} listener(s), {Apis} API(s); new connections and requests use it")]
    public static partial void Reloaded(ILogger logger, string reason, int listeners, int apis);

    [LoggerMessage(EventId = 308, Level = LogLevel.Error, Message = "Reload refused: {File}: {JsonPath}: {Reason}")]
    public static partial void ReloadError(ILogger logger, string file, string jsonPath, string reason);

    [LoggerMessage(EventId = 309, Level = LogLevel.Error, Message = "Reload ({Reason}) rejected with {Errors} error(s); still serving the last good configuration")]
    public static partial void ReloadRejected(ILogger logger, string reason, int errors);

    [LoggerMessage(EventId = 310, Level = LogLevel.Critical, Message = "EXPIRED CERTIFICATE in use: {Subject} ({Usage}) expired on {NotAfter:yyyy-MM-dd HH:mm} UTC ({Source})")]
    public static partial void CertificateExpired(ILogger logger, string subject, string usage, DateTime notAfter, string source);

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "Certificate {Subject} ({Usage}) expires in {Days:0.0} days ({Source})")]
    public static partial void CertificateExpiresSoon(ILogger logger, string subject, string usage, double days, string source);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Certificate {Subject} ({Usage}) expires in {Days:0.0} days ({Source})")]
    public static partial void CertificateExpiryWarning(ILogger logger, string subject, string usage, double days, string source);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "Certificate {Subject} ({Usage}) is not valid before {NotBefore:yyyy-MM-dd HH:mm} UTC")]
    public static partial void CertificateNotYetValid(ILogger logger, string subject, string usage, DateTime notBefore);

    [LoggerMessage(EventId = 314, Level = LogLevel.Warning, Message = "TLS profile {Profile} allows legacy protocol versions ({Protocols}): clients or upstreams may negotiate TLS 1.0/1.1")]
    public static partial void LegacyProtocols(ILogger logger, string profile, string protocols);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Shutting down: draining {Connections} connection(s) for up to {Seconds} s")]
    public static partial void Draining(ILogger logger, int connections, double seconds);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Shutdown drain timed out with {Connections} connection(s) still open")]
    public static partial void DrainTimedOut(ILogger logger, int connections);

    [LoggerMessage(EventId = 315, Level = LogLevel.Warning, Message = "{JsonPath} changed: it is read once per process, so it takes effect at the next start")]
    public static partial void NeedsRestart(ILogger logger, string jsonPath);

    /// <summary>A process-wide runtime setting the start-up log reports (TLS sessions and buffers, the GC, the transport).</summary>
    [LoggerMessage(EventId = 316, Level = LogLevel.Information, Message = "{Description}")]
    public static partial void RuntimeSetting(ILogger logger, string description);

    /// <summary>A process-wide runtime setting the configuration asks for but the process could not apply.</summary>
    [LoggerMessage(EventId = 318, Level = LogLevel.Warning, Message = "{Description}")]
    public static partial void RuntimeSettingNotApplied(ILogger logger, string description);

    [LoggerMessage(EventId = 317, Level = LogLevel.Information, Message = "Ready (pid {Pid}): SIGHUP reloads, SIGUSR1 reopens the access log, SIGTERM drains and stops")]
    public static partial void Ready(ILogger logger, int pid);
}
