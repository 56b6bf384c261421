using System.Net;
using FastGate.Core.Http;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "TLS handshake failed on listener {Listener} from {Remote}: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string listener, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Refused a request from {Remote}: {Rejection} ({Status})")]
    public static partial void RequestRejected(ILogger logger, IPAddress? remote, HttpRejection rejection, int status);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "API {Api}: upstream {Upstream} failed ({Code}): {Detail}")]
    public static partial void UpstreamFailed(ILogger logger, string api, string upstream, string code, string? detail);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "API {Api}: reused connection to {Upstream} was closed by the upstream before a response; retrying on a new connection")]
    public static partial void RetryingOnNewConnection(ILogger logger, string api, string upstream);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "API {Api}: upstream {Upstream} sent an invalid response head: {Rejection}")]
    public static partial void InvalidUpstreamResponse(ILogger logger, string api, string upstream, HttpRejection rejection);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Refused a request on listener {Listener} from {Remote} with 421: its Host has another TLS policy than the connection's server name (profile {Profile})")]
    public static partial void MisdirectedRequest(ILogger logger, string listener, System.Net.IPAddress? remote, string? profile);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "API {Api}: refused tls-cert authentication from {Remote}: {Outcome} (certificate {Subject})")]
    public static partial void AuthenticationRefused(ILogger logger, string api, System.Net.IPAddress? remote, Auth.AuthOutcome outcome, string? subject);

    [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "API {Api}: body relay with {Upstream} ended early: {Outcome}")]
    public static partial void RelayEnded(ILogger logger, string api, string upstream, RelayOutcome outcome);
}
