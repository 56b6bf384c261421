namespace FastGate.Core.Http;

/// <summary>How a message body is delimited (RFC 9112 §6.3).</summary>
internal enum BodyFraming : byte
{
    None,
    ContentLength,
    Chunked,

    /// <summary>Response only: the body ends when the upstream closes the connection.</summary>
    CloseDelimited,
}
