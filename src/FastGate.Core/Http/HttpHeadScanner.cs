using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace FastGate.Core.Http;

/// <summary>
/// The parts of head parsing that requests and responses share: finding the end of the head line by line
/// (CRLF only; a bare LF is refused, not guessed at) and parsing header fields and their framing meaning.
/// </summary>
internal static class HttpHeadScanner
{
    private const int MaxLeadingEmptyLines = 4;

    /// <summary>
    /// The first step of parsing a head in <paramref name="span"/>: its first line, after up to
    /// <see cref="MaxLeadingEmptyLines"/> empty ones (RFC 9112 §2.2 says to ignore at least one). False when more
    /// bytes are needed (rejection None) or the head is refused. <paramref name="headStart"/> is where the line starts,
    /// <paramref name="firstLineEnd"/> its CR. The parser then reads the line and calls <see cref="TryCompleteHead"/>.
    /// </summary>
    public static bool TryLocateFirstLine(ReadOnlySpan<byte> span, bool inputIsTruncated, HttpParserLimits limits, bool isRequest,
        out int headStart, out int firstLineEnd, out HttpRejection rejection)
    {
        headStart = 0;
        firstLineEnd = -1;
        rejection = HttpRejection.None;
        for (var leadingEmpty = 0; leadingEmpty <= MaxLeadingEmptyLines; leadingEmpty++)
        {
            var lf = span[headStart..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (span.Length - headStart > limits.MaxRequestLineBytes)
                {
                    rejection = isRequest ? HttpRejection.RequestLineTooLong : HttpRejection.HeadTooLarge;
                }
                else if (inputIsTruncated || span.Length - headStart >= limits.MaxHeadBytes)
                {
                    rejection = HttpRejection.HeadTooLarge;
                }
                return false;
            }
            lf += headStart;
            if (lf == 0 || span[lf - 1] != (byte)'\r')
            {
                rejection = HttpRejection.BareLineFeed;
                return false;
            }
            if (lf - 1 > headStart)
            {
                if (lf - 1 - headStart > limits.MaxRequestLineBytes)
                {
                    rejection = isRequest ? HttpRejection.RequestLineTooLong : HttpRejection.HeadTooLarge;
                    return false;
                }
                if (lf + 1 - headStart > limits.MaxHeadBytes)
                {
                    rejection = HttpRejection.HeadTooLarge;
                    return false;
                }
                firstLineEnd = lf - 1;
                return true;
            }
            headStart = lf + 1;
        }
        rejection = isRequest ? HttpRejection.InvalidRequestLine : HttpRejection.InvalidStatusLine;
        return false;
    }

    /// <summary>
    /// The second step, after the parser has read the first line with <paramref name="firstLineRejection"/> as the
    /// outcome: parses the header fields up to the blank line and ends the head there (<see cref="HttpMessageHead.Buffer"/>
    /// and <see cref="HttpMessageHead.ConsumedLength"/>). False when more bytes are needed (rejection None) or the head is refused.
    /// </summary>
    /// <remarks>
    /// One pass: the fields are parsed as their lines are found, where the blank line was first found with a search per
    /// line (that scan cost ~580 instructions per proxied GET 64 B; parsing in one pass saves ~200 of them in all,
    /// callgrind, 2026-12-03). Parsing refuses what the line-by-line
    /// scan refuses (a bare LF is no valid name or value byte; it stops at MaxHeaderCount), but it meets faults in
    /// another order and would refuse a head before it is whole; so whenever it does not end with a clean head, the
    /// answer is the scan's (<see cref="TryLocateHeadLineByLine"/>): its rejection, "need more bytes" while the head
    /// is not whole, and the parser's own rejection only for a head the scan finds whole and clean — what parsing a
    /// located head always answered.
    /// </remarks>
    public static bool TryCompleteHead(ReadOnlyMemory<byte> memory, bool inputIsTruncated, HttpParserLimits limits, bool isRequest,
        HttpMessageHead head, int headStart, int firstLineEnd, HttpRejection firstLineRejection, out HttpRejection rejection)
    {
        var headLength = -1;
        rejection = firstLineRejection;
        // A head that arrives piece by piece (a slow client's) is parsed at its first arrival and then only once its
        // blank line is there: each arrival in between costs one search and the scan, as when heads were located
        // before they were parsed, not a parse of every line each time. A head read whole costs no search.
        var span = memory.Span;
        if (rejection == HttpRejection.None && (!head.AwaitingBlankLine || span[firstLineEnd..].IndexOf("\r\n\r\n"u8) >= 0))
        {
            rejection = ParseFields(head, firstLineEnd - headStart + 2, isRequest, limits.MaxHeaderCount, out headLength);
        }
        if (rejection == HttpRejection.None && headLength >= 0 && headLength <= limits.MaxHeadBytes)
        {
            head.SetBuffer(memory.Slice(headStart, headLength));
            head.ConsumedLength = headStart + headLength;
            head.AwaitingBlankLine = false;
            return true;
        }
        // The first line is located already (the same for the scan): only its header lines are scanned.
        if (!TryLocateHeaderLines(span, inputIsTruncated, limits, headStart, firstLineEnd, out _, out var scanRejection))
        {
            rejection = scanRejection;
        }
        head.AwaitingBlankLine = rejection == HttpRejection.None;
        return false;
    }

    /// <summary>The head found line by line: every line's LF after a CR, the number of lines and the limits checked as it goes.</summary>
    internal static bool TryLocateHeadLineByLine(ReadOnlySpan<byte> span, bool inputIsTruncated, HttpParserLimits limits, bool isRequest,
        out int headStart, out int headEnd, out int firstLineEnd, out HttpRejection rejection)
    {
        headEnd = 0;
        return TryLocateFirstLine(span, inputIsTruncated, limits, isRequest, out headStart, out firstLineEnd, out rejection)
               && TryLocateHeaderLines(span, inputIsTruncated, limits, headStart, firstLineEnd, out headEnd, out rejection);
    }

    /// <summary>The header lines after the first line, each checked, up to the blank line that ends the head.</summary>
    private static bool TryLocateHeaderLines(ReadOnlySpan<byte> span, bool inputIsTruncated, HttpParserLimits limits, int headStart,
        int firstLineEnd, out int headEnd, out HttpRejection rejection)
    {
        headEnd = 0;
        rejection = HttpRejection.None;
        var lineStart = firstLineEnd + 2;
        var lines = 0;
        while (true)
        {
            var lf = span[lineStart..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (inputIsTruncated || span.Length - headStart >= limits.MaxHeadBytes)
                {
                    rejection = HttpRejection.HeadTooLarge;
                }
                return false;
            }
            lf += lineStart;
            if (span[lf - 1] != (byte)'\r')
            {
                rejection = HttpRejection.BareLineFeed;
                return false;
            }
            if (lf - 1 == lineStart)
            {
                headEnd = lf + 1;
                if (headEnd - headStart > limits.MaxHeadBytes)
                {
                    rejection = HttpRejection.HeadTooLarge;
                    return false;
                }
                return true;
            }
            if (++lines > limits.MaxHeaderCount)
            {
                rejection = HttpRejection.TooManyHeaders;
                return false;
            }
            lineStart = lf + 1;
            if (lineStart - headStart > limits.MaxHeadBytes)
            {
                rejection = HttpRejection.HeadTooLarge;
                return false;
            }
        }
    }

    /// <summary>
    /// Parses the header lines of <paramref name="head"/>'s buffer from <paramref name="start"/> to the blank line, at
    /// most <paramref name="maxFields"/> of them. <paramref name="headLength"/> is where the head ends (just past the
    /// blank line), or -1 when the buffer ends first.
    /// </summary>
    private static HttpRejection ParseFields(HttpMessageHead head, int start, bool isRequest, int maxFields, out int headLength)
    {
        var span = head.Span;
        var contentLengthSeen = false;
        var pos = start;
        headLength = -1;
        while (true)
        {
            var cr = span[pos..].IndexOf((byte)'\r');
            if (cr < 0 || pos + cr + 1 == span.Length)
            {
                return HttpRejection.None; // the line, or its LF, has not arrived
            }
            var lineEnd = pos + cr;
            if (span[lineEnd + 1] != (byte)'\n')
            {
                return HttpRejection.InvalidHeaderValue; // a CR that does not end the line
            }
            if (lineEnd == pos)
            {
                headLength = lineEnd + 2;
                return HttpRejection.None;
            }
            if (head.HeaderCount == maxFields)
            {
                return HttpRejection.TooManyHeaders;
            }
            var line = span[pos..lineEnd];
            if (line[0] is (byte)' ' or (byte)'\t')
            {
                return HttpRejection.ObsoleteLineFolding;
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].ContainsAnyExcept(HttpCharacters.Token))
            {
                return HttpRejection.InvalidHeaderName; // also catches whitespace before the colon
            }
            var value = line[(colon + 1)..];
            var valueOffset = colon + 1;
            var leading = 0;
            while (leading < value.Length && value[leading] is (byte)' ' or (byte)'\t')
            {
                leading++;
            }
            var trailing = value.Length;
            while (trailing > leading && value[trailing - 1] is (byte)' ' or (byte)'\t')
            {
                trailing--;
            }
            value = value[leading..trailing];
            if (HttpCharacters.ContainsInvalidFieldValueByte(value))
            {
                return HttpRejection.InvalidHeaderValue;
            }

            var known = Classify(line[..colon]);
            var field = new HttpHeaderField(pos, colon, pos + valueOffset + leading, value.Length, lineEnd + 2 - pos, known);
            var rejection = Interpret(head, in field, value, isRequest, ref contentLengthSeen);
            if (rejection != HttpRejection.None)
            {
                return rejection;
            }
            head.AddHeader(in field);
            pos = lineEnd + 2;
        }
    }

    private static HttpRejection Interpret(HttpMessageHead head, in HttpHeaderField field, ReadOnlySpan<byte> value, bool isRequest, ref bool contentLengthSeen)
    {
        switch (field.Known)
        {
            case KnownHeader.ContentLength:
                if (!TryParseContentLength(value, out var length) || (contentLengthSeen && length != head.ContentLength))
                {
                    return HttpRejection.InvalidContentLength;
                }
                contentLengthSeen = true;
                head.ContentLength = length;
                break;
            case KnownHeader.TransferEncoding:
                var te = InterpretTransferEncoding(head, value);
                if (te != HttpRejection.None)
                {
                    return te;
                }
                break;
            case KnownHeader.Connection:
                return InterpretConnection(head, field.ValueStart, value);
            case KnownHeader.Upgrade:
                head.HasUpgradeHeader = true;
                break;
            case KnownHeader.Host when isRequest:
                if (head is HttpRequestHead request)
                {
                    if (request.HostHeaderIndex >= 0)
                    {
                        return HttpRejection.MultipleHost;
                    }
                    if (value.ContainsAnyExcept(HttpCharacters.Host))
                    {
                        return HttpRejection.InvalidHost;
                    }
                    request.HostHeaderIndex = head.HeaderCount;
                }
                break;
            case KnownHeader.KeepAlive when !isRequest && head is HttpResponseHead response:
                response.KeepAliveTimeoutSeconds = ParseKeepAliveTimeout(value);
                break;
            case KnownHeader.Expect when isRequest:
                if (head is HttpRequestHead expecting && Ascii.EqualsIgnoreCase(value, "100-continue"u8))
                {
                    expecting.ExpectContinue = true;
                }
                break;
        }
        return HttpRejection.None;
    }

    /// <summary>The N of "timeout=N" in a Keep-Alive value ("timeout=5, max=100"), or -1.</summary>
    public static int ParseKeepAliveTimeout(ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var item = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            value = comma < 0 ? default : value[(comma + 1)..];
            if (item.Length > 8 && Ascii.EqualsIgnoreCase(item[..8], "timeout="u8)
                && Utf8Parser.TryParse(item[8..], out int seconds, out var consumed) && consumed == item.Length - 8 && seconds >= 0)
            {
                return seconds;
            }
        }
        return -1;
    }

    /// <summary>Digits only; a list of identical values ("5, 5") is one value (RFC 9110 §8.6); no sign, no overflow.</summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = -1;
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var item = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            value = comma < 0 ? default : value[(comma + 1)..];
            if (item.IsEmpty || item.ContainsAnyExceptInRange((byte)'0', (byte)'9') || item.Length > 18
                || !Utf8Parser.TryParse(item, out long parsed, out var consumed) || consumed != item.Length)
            {
                return false;
            }
            if (length >= 0 && parsed != length)
            {
                return false;
            }
            length = parsed;
        }
        return length >= 0;
    }

    /// <summary>
    /// Codings a proxy may pass through untouched. The final one must be chunked for a request (RFC 9112 §6.3),
    /// and chunked may appear once; anything unknown is refused rather than guessed at.
    /// </summary>
    private static HttpRejection InterpretTransferEncoding(HttpMessageHead head, ReadOnlySpan<byte> value)
    {
        if (head.HasTransferEncoding && head.Framing == BodyFraming.Chunked)
        {
            return HttpRejection.InvalidTransferEncoding; // anything after chunked
        }
        head.HasTransferEncoding = true;
        var sawAny = false;
        var more = !value.IsEmpty;
        while (more)
        {
            // Strict: no empty list elements ("chunked,", ", chunked") in the field that decides framing.
            var comma = value.IndexOf((byte)',');
            var item = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            more = comma >= 0;
            value = comma < 0 ? default : value[(comma + 1)..];
            if (item.IsEmpty)
            {
                return HttpRejection.InvalidTransferEncoding;
            }
            if (head.Framing == BodyFraming.Chunked)
            {
                return HttpRejection.InvalidTransferEncoding; // chunked must be last and only once
            }
            sawAny = true;
            if (Ascii.EqualsIgnoreCase(item, "chunked"u8))
            {
                head.Framing = BodyFraming.Chunked;
            }
            else if (!(Ascii.EqualsIgnoreCase(item, "gzip"u8) || Ascii.EqualsIgnoreCase(item, "deflate"u8)
                       || Ascii.EqualsIgnoreCase(item, "compress"u8) || Ascii.EqualsIgnoreCase(item, "x-gzip"u8)
                       || Ascii.EqualsIgnoreCase(item, "x-compress"u8)))
            {
                return item.ContainsAnyExcept(HttpCharacters.Token)
                    ? HttpRejection.InvalidTransferEncoding
                    : HttpRejection.UnsupportedTransferEncoding;
            }
        }
        return sawAny ? HttpRejection.None : HttpRejection.InvalidTransferEncoding;
    }

    private static HttpRejection InterpretConnection(HttpMessageHead head, int valueStart, ReadOnlySpan<byte> value)
    {
        var offset = 0;
        while (offset < value.Length)
        {
            var rest = value[offset..];
            var comma = rest.IndexOf((byte)',');
            var itemLength = comma < 0 ? rest.Length : comma;
            var item = rest[..itemLength];
            var lead = 0;
            while (lead < item.Length && item[lead] is (byte)' ' or (byte)'\t')
            {
                lead++;
            }
            var token = item[lead..].TrimEnd(" \t"u8);
            if (!token.IsEmpty)
            {
                if (token.ContainsAnyExcept(HttpCharacters.Token))
                {
                    return HttpRejection.InvalidHeaderValue;
                }
                if (Ascii.EqualsIgnoreCase(token, "close"u8))
                {
                    head.ConnectionClose = true;
                }
                else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
                {
                    head.ConnectionKeepAlive = true;
                }
                else if (Ascii.EqualsIgnoreCase(token, "upgrade"u8))
                {
                    head.ConnectionUpgrade = true;
                }
                else if (!head.AddConnectionToken(valueStart + offset + lead, token.Length))
                {
                    return HttpRejection.InvalidHeaderValue;
                }
            }
            offset += itemLength + 1;
        }
        return HttpRejection.None;
    }

    /// <summary>Classifies a header name without allocating: length first, then a case-insensitive compare.</summary>
    public static KnownHeader Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when Ascii.EqualsIgnoreCase(name, "TE"u8) => KnownHeader.TE,
        4 when Ascii.EqualsIgnoreCase(name, "Host"u8) => KnownHeader.Host,
        6 when Ascii.EqualsIgnoreCase(name, "Expect"u8) => KnownHeader.Expect,
        7 when Ascii.EqualsIgnoreCase(name, "Upgrade"u8) => KnownHeader.Upgrade,
        10 when Ascii.EqualsIgnoreCase(name, "Connection"u8) => KnownHeader.Connection,
        10 when Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8) => KnownHeader.KeepAlive,
        14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8) => KnownHeader.ContentLength,
        15 when Ascii.EqualsIgnoreCase(name, "X-Forwarded-For"u8) => KnownHeader.XForwardedFor,
        16 when Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8) => KnownHeader.ProxyConnection,
        16 when Ascii.EqualsIgnoreCase(name, "X-Forwarded-Host"u8) => KnownHeader.XForwardedHost,
        17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) => KnownHeader.TransferEncoding,
        17 when Ascii.EqualsIgnoreCase(name, "X-Forwarded-Proto"u8) => KnownHeader.XForwardedProto,
        23 when Ascii.EqualsIgnoreCase(name, "X-Forwarded-Client-Cert"u8) => KnownHeader.XForwardedClientCert,
        _ => KnownHeader.None,
    };

    /// <summary>Parses "HTTP/1.1" or "HTTP/1.0"; any other well-formed version is unsupported, anything else invalid.</summary>
    public static HttpRejection ParseVersion(ReadOnlySpan<byte> version, out HttpVersionKind kind)
    {
        kind = HttpVersionKind.Http11;
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            return HttpRejection.None;
        }
        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            kind = HttpVersionKind.Http10;
            return HttpRejection.None;
        }
        if (version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
            && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]))
        {
            return HttpRejection.UnsupportedVersion;
        }
        return HttpRejection.InvalidRequestLine;
    }
}
