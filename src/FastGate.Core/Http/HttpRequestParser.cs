using System.Buffers;
using System.Text;

namespace FastGate.Core.Http;

/// <summary>
/// Parses an HTTP/1.1 request head (RFC 9112) and decides its framing. Never allocates: the head is described
/// as offsets into the bytes it arrived in (or one pooled copy when it spans buffer segments).
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>
    /// Parses the head at the start of <paramref name="input"/>. Returns false with <see cref="HttpRejection.None"/>
    /// when more bytes are needed (nothing is consumed), false with a rejection when the request must be refused.
    /// </summary>
    public static bool TryParse(in ReadOnlySequence<byte> input, HttpRequestHead head, HttpParserLimits limits, out HttpRejection rejection)
    {
        head.Reset();
        var maxScan = limits.MaxHeadBytes + 64; // room for a few leading empty lines
        var memory = head.Contiguous(input, maxScan);
        var truncated = input.Length > memory.Length;
        if (!HttpHeadScanner.TryLocateFirstLine(memory.Span, truncated, limits, isRequest: true, out var headStart, out var firstLineEnd, out rejection))
        {
            return false;
        }
        head.SetBuffer(memory[headStart..]); // until TryCompleteHead ends it at the blank line
        rejection = ParseRequestLine(head, firstLineEnd - headStart);
        if (!HttpHeadScanner.TryCompleteHead(memory, truncated, limits, isRequest: true, head, headStart, firstLineEnd, rejection, out rejection))
        {
            return false;
        }
        rejection = DecideFraming(head);
        return rejection == HttpRejection.None;
    }

    private static HttpRejection ParseRequestLine(HttpRequestHead head, int lineLength)
    {
        var line = head.Span[..lineLength];
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
        {
            return HttpRejection.InvalidRequestLine;
        }
        var method = line[..sp1];
        if (method.ContainsAnyExcept(HttpCharacters.Token))
        {
            return HttpRejection.InvalidMethod;
        }
        var sp2Relative = line[(sp1 + 1)..].IndexOf((byte)' ');
        if (sp2Relative <= 0)
        {
            return HttpRejection.InvalidRequestLine;
        }
        var sp2 = sp1 + 1 + sp2Relative;
        var versionRejection = HttpHeadScanner.ParseVersion(line[(sp2 + 1)..], out var version);
        if (versionRejection != HttpRejection.None)
        {
            return versionRejection;
        }

        head.Method = ClassifyMethod(method);
        head.MethodLength = sp1;
        head.Version = version;
        head.TargetStart = sp1 + 1;
        head.TargetLength = sp2 - sp1 - 1;
        return ParseTarget(head, line.Slice(head.TargetStart, head.TargetLength));
    }

    private static HttpRejection ParseTarget(HttpRequestHead head, ReadOnlySpan<byte> target)
    {
        if (target.ContainsAnyExcept(HttpCharacters.Target))
        {
            return HttpRejection.InvalidTarget;
        }
        var start = head.TargetStart;
        if (target[0] == (byte)'/')
        {
            SetPathAndQuery(head, start, target);
            return HttpRejection.None;
        }
        if (target.Length == 1 && target[0] == (byte)'*')
        {
            if (head.Method != HttpMethodKind.Options)
            {
                return HttpRejection.InvalidTarget;
            }
            head.PathStart = start;
            head.PathLength = 1;
            head.QueryStart = start + 1;
            return HttpRejection.None;
        }

        // absolute-form (RFC 9112 §3.2.2): the authority in the target is the request's host.
        var schemeLength = StartsWithIgnoreCase(target, "http://"u8) ? 7 : StartsWithIgnoreCase(target, "https://"u8) ? 8 : 0;
        if (schemeLength == 0)
        {
            // authority-form is only for CONNECT; FastGate does not tunnel arbitrary TCP.
            return head.Method == HttpMethodKind.Connect ? HttpRejection.ConnectNotAllowed : HttpRejection.InvalidTarget;
        }
        var afterScheme = target[schemeLength..];
        var authorityLength = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0)
        {
            authorityLength = afterScheme.Length;
        }
        var authority = afterScheme[..authorityLength];
        if (authority.IsEmpty || authority.Contains((byte)'@') || authority.ContainsAnyExcept(HttpCharacters.Host))
        {
            return HttpRejection.InvalidTarget;
        }
        head.AuthorityStart = start + schemeLength;
        head.AuthorityLength = authorityLength;
        SetPathAndQuery(head, start + schemeLength + authorityLength, afterScheme[authorityLength..]);
        return HttpRejection.None;
    }

    private static void SetPathAndQuery(HttpRequestHead head, int start, ReadOnlySpan<byte> pathAndQuery)
    {
        var q = pathAndQuery.IndexOf((byte)'?');
        var pathLength = q < 0 ? pathAndQuery.Length : q;
        head.PathStart = start;
        head.PathLength = pathLength;
        head.QueryStart = start + pathLength;
        head.QueryLength = pathAndQuery.Length - pathLength;
    }

    private static HttpRejection DecideFraming(HttpRequestHead head)
    {
        if (head.Version == HttpVersionKind.Http11 && head.HostHeaderIndex < 0)
        {
            return HttpRejection.MissingHost;
        }
        if (head.Method == HttpMethodKind.Connect)
        {
            return HttpRejection.ConnectNotAllowed;
        }
        // RFC 9112 §3.2.2: with an absolute-form target the Host must name the same authority.
        if (head.AuthorityLength > 0 && head.HostHeaderIndex >= 0
            && !Ascii.EqualsIgnoreCase(head.Span.Slice(head.AuthorityStart, head.AuthorityLength), head.HostHeaderValue))
        {
            return HttpRejection.HostDisagreesWithTarget;
        }
        if (head.HasTransferEncoding)
        {
            if (head.Version == HttpVersionKind.Http10)
            {
                return HttpRejection.TransferEncodingInHttp10;
            }
            if (head.ContentLength >= 0)
            {
                return HttpRejection.ContentLengthAndTransferEncoding;
            }
            if (head.Framing != BodyFraming.Chunked)
            {
                return HttpRejection.InvalidTransferEncoding; // a request body must end with chunked (RFC 9112 §6.3)
            }
        }
        else if (head.ContentLength > 0)
        {
            head.Framing = BodyFraming.ContentLength;
        }
        else
        {
            head.Framing = BodyFraming.None;
        }

        head.KeepAlive = head.Version == HttpVersionKind.Http11 ? !head.ConnectionClose : head.ConnectionKeepAlive && !head.ConnectionClose;
        return HttpRejection.None;
    }

    private static HttpMethodKind ClassifyMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethodKind.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethodKind.Put,
        4 when method.SequenceEqual("POST"u8) => HttpMethodKind.Post,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethodKind.Head,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethodKind.Patch,
        5 when method.SequenceEqual("TRACE"u8) => HttpMethodKind.Trace,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethodKind.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethodKind.Options,
        7 when method.SequenceEqual("CONNECT"u8) => HttpMethodKind.Connect,
        _ => HttpMethodKind.Other,
    };

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix) =>
        value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);
}
