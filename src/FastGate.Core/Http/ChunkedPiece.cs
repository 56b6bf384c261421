namespace FastGate.Core.Http;

/// <summary>What the next bytes of a chunked body are.</summary>
internal enum ChunkedPiece : byte
{
    /// <summary>More input is needed before anything can be said; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>Chunk-size lines, chunk CRLFs and trailer lines: forwarded as-is, dropped when de-chunking.</summary>
    Framing,

    /// <summary>Payload bytes.</summary>
    Data,

    /// <summary>The final CRLF of the body: the body is complete after these bytes.</summary>
    End,

    /// <summary>The body is malformed; framing is in doubt and the connection must close.</summary>
    Invalid,
}
