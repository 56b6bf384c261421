namespace FastGate.Core.Proxy;

/// <summary>How copying a body from one side to the other ended.</summary>
internal enum RelayOutcome : byte
{
    Completed,

    /// <summary>The source ended (EOF) before the body did.</summary>
    SourceTruncated,

    /// <summary>Reading the source failed (reset, TLS error).</summary>
    SourceFailed,

    /// <summary>Writing to the destination failed or it went away.</summary>
    DestinationFailed,

    /// <summary>The chunked framing was malformed.</summary>
    InvalidFraming,

    /// <summary>A read was cancelled by a timeout.</summary>
    TimedOut,

    /// <summary>The body passed its size limit.</summary>
    TooLarge,
}
