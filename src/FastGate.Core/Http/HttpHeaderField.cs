namespace FastGate.Core.Http;

/// <summary>One header line as offsets into the head buffer it arrived in (name and trimmed value).</summary>
internal readonly struct HttpHeaderField(int lineStart, int nameLength, int valueStart, int valueLength, int lineLength, KnownHeader known)
{
    public int LineStart { get; } = lineStart;
    public int NameLength { get; } = nameLength;
    public int ValueStart { get; } = valueStart;
    public int ValueLength { get; } = valueLength;

    /// <summary>Length of the whole line including its CRLF, so it can be forwarded verbatim.</summary>
    public int LineLength { get; } = lineLength;

    public KnownHeader Known { get; } = known;
}
