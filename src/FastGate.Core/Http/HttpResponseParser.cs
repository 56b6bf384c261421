using System.Buffers;
using System.Buffers.Text;

namespace FastGate.Core.Http;

/// <summary>Parses an upstream's response head with the same scrutiny as a request head, and decides its framing.</summary>
internal static class HttpResponseParser
{
    /// <summary>Same contract as <see cref="HttpRequestParser.TryParse"/>; <paramref name="requestMethod"/> decides whether a body follows.</summary>
    public static bool TryParse(in ReadOnlySequence<byte> input, HttpResponseHead head, HttpMethodKind requestMethod,
        HttpParserLimits limits, out HttpRejection rejection)
    {
        head.Reset();
        var memory = head.Contiguous(input, limits.MaxHeadBytes + 64);
        var truncated = input.Length > memory.Length;
        if (!HttpHeadScanner.TryLocateFirstLine(memory.Span, truncated, limits, isRequest: false, out var headStart, out var firstLineEnd, out rejection))
        {
            return false;
        }
        head.SetBuffer(memory[headStart..]); // until TryCompleteHead ends it at the blank line
        rejection = ParseStatusLine(head, firstLineEnd - headStart);
        if (!HttpHeadScanner.TryCompleteHead(memory, truncated, limits, isRequest: false, head, headStart, firstLineEnd, rejection, out rejection))
        {
            return false;
        }
        rejection = DecideFraming(head, requestMethod);
        return rejection == HttpRejection.None;
    }

    private static HttpRejection ParseStatusLine(HttpResponseHead head, int lineLength)
    {
        // HTTP-version SP 3DIGIT SP [reason-phrase]
        var line = head.Span[..lineLength];
        if (line.Length < 12 || line[8] != (byte)' ' || (line.Length > 12 && line[12] != (byte)' '))
        {
            return HttpRejection.InvalidStatusLine;
        }
        if (HttpHeadScanner.ParseVersion(line[..8], out var version) != HttpRejection.None)
        {
            return HttpRejection.InvalidStatusLine;
        }
        var digits = line.Slice(9, 3);
        if (digits.ContainsAnyExceptInRange((byte)'0', (byte)'9') || !Utf8Parser.TryParse(digits, out int status, out _) || status < 100)
        {
            return HttpRejection.InvalidStatusLine;
        }
        if (line.Length > 13 && HttpCharacters.ContainsInvalidFieldValueByte(line[13..]))
        {
            return HttpRejection.InvalidStatusLine;
        }
        head.Version = version;
        head.StatusCode = status;
        head.StatusLineLength = lineLength;
        return HttpRejection.None;
    }

    private static HttpRejection DecideFraming(HttpResponseHead head, HttpMethodKind requestMethod)
    {
        head.KeepAlive = head.Version == HttpVersionKind.Http11 ? !head.ConnectionClose : head.ConnectionKeepAlive && !head.ConnectionClose;
        var status = head.StatusCode;
        if (requestMethod == HttpMethodKind.Head || status is (>= 100 and < 200) or 204 or 304)
        {
            head.Framing = BodyFraming.None; // RFC 9112 §6.3 rule 1: framing headers are ignored
            return HttpRejection.None;
        }
        if (head.HasTransferEncoding)
        {
            if (head.ContentLength >= 0)
            {
                return HttpRejection.ContentLengthAndTransferEncoding; // a smuggling signal from upstream: refuse to relay
            }
            if (head.Framing != BodyFraming.Chunked)
            {
                head.Framing = BodyFraming.CloseDelimited; // §6.3 rule 4 for responses
                head.KeepAlive = false;
            }
            return HttpRejection.None;
        }
        if (head.ContentLength >= 0)
        {
            head.Framing = head.ContentLength == 0 ? BodyFraming.None : BodyFraming.ContentLength;
            return HttpRejection.None;
        }
        head.Framing = BodyFraming.CloseDelimited;
        head.KeepAlive = false;
        return HttpRejection.None;
    }
}
