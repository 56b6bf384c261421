namespace FastGate.Core.Transport;

/// <summary>The configuration's <c>transport</c> ("auto", "epoll", "sockets"; validated) as the gateway uses it.</summary>
internal static class TransportSelection
{
    public static TransportKind Resolve(string configured) => configured switch
    {
        "sockets" => TransportKind.Sockets,
        "epoll" => TransportKind.Epoll,
        _ => EpollLoop.IsSupported ? TransportKind.Epoll : TransportKind.Sockets,
    };

    /// <summary>The start-up log's sentence.</summary>
    public static string Describe(TransportKind transport, string configured, int eventLoops) => transport == TransportKind.Epoll
        ? $"Transport: epoll (transport \"{configured}\"): {EpollLoop.Count} event loop thread(s) of FastGate's own ({(eventLoops == 0 ? "event_loops 0: one per processor" : $"event_loops {eventLoops}")}), edge-triggered, direct recv/send, completions inline"
        : $"Transport: .NET sockets (transport \"{configured}\"{(EpollLoop.IsSupported ? "" : "; epoll is not supported here")})";
}
