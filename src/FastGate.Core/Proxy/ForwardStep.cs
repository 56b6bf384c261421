namespace FastGate.Core.Proxy;

/// <summary>Where forwarding one request stands after a half of it (sending the request, relaying the response).</summary>
internal enum ForwardStep : byte
{
    /// <summary>The request is with the upstream (or a 1xx was relayed): wait for its (final) response head.</summary>
    AwaitResponse,

    /// <summary>Done (answered, or failed with an answer); the client connection stays open for its next request.</summary>
    KeepOpen,

    /// <summary>Done; the client connection must end.</summary>
    Close,

    /// <summary>A reused upstream connection turned out closed before anything reached it: send again on a new one.</summary>
    Retry,
}
