using System.Net;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Transport;

internal static partial class TransportLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Listener {Name} listening on {Endpoint} ({Kind})")]
    public static partial void Listening(ILogger logger, string name, EndPoint endpoint, string kind);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Listener {Name} is at its limit of {Max} connections; refused a connection from {Remote}")]
    public static partial void ConnectionLimitReached(ILogger logger, string name, int max, EndPoint? remote);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Connection on listener {Name} ended with an unexpected error")]
    public static partial void ConnectionFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Listener {Name} cannot accept ({Error}); trying again in {DelayMs} ms")]
    public static partial void AcceptBackOff(ILogger logger, string name, System.Net.Sockets.SocketError error, int delayMs);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "An epoll transport callback failed; the loop goes on")]
    public static partial void EventLoopCallbackFailed(ILogger logger, Exception exception);
}
