using System.Buffers;

namespace FastGate.Core.Http;

/// <summary>
/// What request and response heads share: the head bytes as they arrived, the header fields as offsets into them,
/// and the framing facts. Instances are reused across messages on one connection (not thread-safe).
/// </summary>
internal abstract class HttpMessageHead
{
    private const int MaxConnectionTokens = 8;

    private byte[]? _copyBuffer;
    // 16 fields cover typical API requests and responses (grown on demand, then kept for the connection): 24 B each, per idle connection.
    private HttpHeaderField[] _headers = new HttpHeaderField[16];
    private readonly (int Start, int Length)[] _connectionTokens = new (int, int)[MaxConnectionTokens];

    /// <summary>The bytes of the head, from the first byte of the start line to the blank line's CRLF inclusive.</summary>
    public ReadOnlyMemory<byte> Buffer { get; private set; }

    public ReadOnlySpan<byte> Span => Buffer.Span;

    /// <summary>How many bytes of input the head occupied (including any skipped leading empty lines).</summary>
    public int ConsumedLength { get; internal set; }

    public HttpVersionKind Version { get; internal set; }
    public int HeaderCount { get; private set; }
    public BodyFraming Framing { get; internal set; }
    public long ContentLength { get; internal set; } = -1;
    public bool KeepAlive { get; internal set; }
    public bool ConnectionClose { get; internal set; }
    public bool ConnectionKeepAlive { get; internal set; }

    /// <summary>The Connection header lists "upgrade".</summary>
    public bool ConnectionUpgrade { get; internal set; }

    /// <summary>An Upgrade header is present.</summary>
    public bool HasUpgradeHeader { get; internal set; }
    public bool HasTransferEncoding { get; internal set; }
    public int ConnectionTokenCount { get; private set; }

    public ReadOnlySpan<HttpHeaderField> Headers => _headers.AsSpan(0, HeaderCount);

    public ReadOnlySpan<byte> NameOf(in HttpHeaderField field) => Span.Slice(field.LineStart, field.NameLength);
    public ReadOnlySpan<byte> ValueOf(in HttpHeaderField field) => Span.Slice(field.ValueStart, field.ValueLength);
    public ReadOnlySpan<byte> LineOf(in HttpHeaderField field) => Span.Slice(field.LineStart, field.LineLength);

    /// <summary>The first field named <paramref name="name"/> (case-insensitive); false when absent.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (ref readonly var field in Headers)
        {
            if (field.NameLength == name.Length && System.Text.Ascii.EqualsIgnoreCase(NameOf(field), name))
            {
                value = ValueOf(field);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>True when <paramref name="name"/> was listed in a Connection header (and so is hop-by-hop).</summary>
    public bool IsNominatedByConnection(ReadOnlySpan<byte> name)
    {
        var span = Span;
        for (var i = 0; i < ConnectionTokenCount; i++)
        {
            var (start, length) = _connectionTokens[i];
            if (System.Text.Ascii.EqualsIgnoreCase(span.Slice(start, length), name))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The last parse found the head's first line but not its end: the next attempt (with more bytes) parses the
    /// fields only once the blank line is there. Survives <see cref="Reset"/>, which every attempt starts with.
    /// </summary>
    internal bool AwaitingBlankLine { get; set; }

    public virtual void Reset()
    {
        Buffer = default;
        ConsumedLength = 0;
        HeaderCount = 0;
        Framing = BodyFraming.None;
        ContentLength = -1;
        KeepAlive = false;
        ConnectionClose = false;
        ConnectionKeepAlive = false;
        ConnectionUpgrade = false;
        HasUpgradeHeader = false;
        HasTransferEncoding = false;
        ConnectionTokenCount = 0;
    }

    /// <summary>Returns pooled memory; call when the owning connection ends.</summary>
    public void ReleaseBuffers()
    {
        Reset();
        if (_copyBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_copyBuffer);
            _copyBuffer = null;
        }
    }

    /// <summary>
    /// A contiguous view of at most <paramref name="maxBytes"/> of <paramref name="input"/>: the first segment itself
    /// when it holds enough, otherwise a copy into a buffer this head owns.
    /// </summary>
    internal ReadOnlyMemory<byte> Contiguous(in ReadOnlySequence<byte> input, int maxBytes)
    {
        if (input.IsSingleSegment || input.First.Length >= maxBytes)
        {
            var first = input.First;
            return first.Length > maxBytes ? first[..maxBytes] : first;
        }
        var length = (int)Math.Min(input.Length, maxBytes);
        if (_copyBuffer is null || _copyBuffer.Length < length)
        {
            if (_copyBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_copyBuffer);
            }
            _copyBuffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        }
        input.Slice(0, length).CopyTo(_copyBuffer);
        return _copyBuffer.AsMemory(0, length);
    }

    internal void SetBuffer(ReadOnlyMemory<byte> buffer) => Buffer = buffer;

    internal void AddHeader(in HttpHeaderField field)
    {
        if (HeaderCount == _headers.Length)
        {
            Array.Resize(ref _headers, _headers.Length * 2);
        }
        _headers[HeaderCount++] = field;
    }

    internal bool AddConnectionToken(int start, int length)
    {
        if (ConnectionTokenCount == MaxConnectionTokens)
        {
            return false;
        }
        _connectionTokens[ConnectionTokenCount++] = (start, length);
        return true;
    }
}
