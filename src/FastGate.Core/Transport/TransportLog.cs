using System.Net;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Transport;

internal static partial class TransportLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Listener {Name} listening on {Endpoint} ({Kind})")]
    public static partial void Listening(ILogger logger, string name, EndPoint endpoint, string kind);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Listener {Name} is at its limit of {Max} connections; refused a connection from {Remote}")]
    public static partial void ConnectionLimitReached(ILogger logger, string name, int max, EndPoint? remote);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Listener {Name} accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Connection on listener {Name} ended with an unexpected error")]
    public static partial void ConnectionFailed(ILogger logger, string name, Exception exception);
}
