namespace FastGate.Core.Proxy;

/// <summary>How waiting for an upstream's response head ended.</summary>
internal enum ResponseHeadStatus : byte
{
    Received,

    /// <summary>The upstream closed or reset before sending a byte: retryable on a reused connection.</summary>
    ClosedBeforeResponse,

    /// <summary>The upstream closed or failed after some bytes of the head.</summary>
    Failed,
    Invalid,
    TimedOut,
}
