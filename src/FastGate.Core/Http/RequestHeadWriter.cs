using System.Buffers;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Http;

/// <summary>
/// Writes the head a proxy sends upstream, copying the client's header lines from the bytes they arrived in:
/// hop-by-hop fields (and those the Connection header names) removed, Host set as configured, the
/// X-Forwarded-For/Proto/Host fields set, the listen path stripped and the target's base path prepended.
/// </summary>
internal static class RequestHeadWriter
{
    public static void Write(IBufferWriter<byte> destination, HttpRequestHead head, in RequestRewrite rewrite)
    {
        var output = new BatchingBufferWriter(destination);
        output.Write(head.MethodBytes);
        output.Write(" "u8);
        WriteTarget(ref output, head, rewrite);
        output.Write(" HTTP/1.1\r\n"u8);

        var originalHost = head.Authority;
        output.Write("Host: "u8);
        output.Write(rewrite.UpstreamHost.IsEmpty ? originalHost : rewrite.UpstreamHost.Span);
        output.Write("\r\n"u8);

        var span = head.Span;
        var hasForwardedFor = false;
        // Kept lines are copied in runs: lines that follow each other in the arrived head are one copy.
        var runStart = 0;
        var runEnd = 0;
        foreach (ref readonly var field in head.Headers)
        {
            switch (field.Known)
            {
                case KnownHeader.Host:
                case KnownHeader.XForwardedProto:
                case KnownHeader.XForwardedHost:
                case KnownHeader.XForwardedClientCert:
                    continue;
                case KnownHeader.XForwardedFor:
                    hasForwardedFor = true;
                    continue;
                case KnownHeader.Expect when rewrite.DropExpect:
                    continue;
                case KnownHeader.Upgrade when rewrite.Upgrade:
                    break;
                case KnownHeader.None when head.ConnectionTokenCount > 0 && head.IsNominatedByConnection(head.NameOf(field)):
                    continue;
                case KnownHeader.None when !rewrite.DropHeader.IsEmpty && field.NameLength == rewrite.DropHeader.Length
                                           && System.Text.Ascii.EqualsIgnoreCase(head.NameOf(field), rewrite.DropHeader.Span):
                    continue;
                default:
                    if (HopByHop.IsHopByHop(field.Known))
                    {
                        continue;
                    }
                    break;
            }
            if (field.LineStart != runEnd)
            {
                if (runEnd != runStart)
                {
                    output.Write(span[runStart..runEnd]);
                }
                runStart = field.LineStart;
                runEnd = runStart;
            }
            runEnd += field.LineLength;
        }
        if (runEnd != runStart)
        {
            output.Write(span[runStart..runEnd]);
        }

        if (rewrite.Upgrade)
        {
            output.Write("Connection: upgrade\r\n"u8);
        }
        if (!rewrite.RequestId.IsEmpty)
        {
            output.Write("X-Request-Id: "u8);
            output.Write(rewrite.RequestId.Span);
            output.Write("\r\n"u8);
        }
        output.Write("X-Forwarded-For: "u8);
        if (hasForwardedFor)
        {
            foreach (ref readonly var field in head.Headers)
            {
                if (field.Known == KnownHeader.XForwardedFor && field.ValueLength > 0)
                {
                    output.Write(head.ValueOf(field));
                    output.Write(", "u8);
                }
            }
        }
        output.Write(rewrite.ClientAddress.Span);
        output.Write("\r\nX-Forwarded-Proto: "u8);
        output.Write(rewrite.ClientScheme.Span);
        if (!originalHost.IsEmpty)
        {
            output.Write("\r\nX-Forwarded-Host: "u8);
            output.Write(originalHost);
        }
        if (!rewrite.ForwardedClientCert.IsEmpty)
        {
            output.Write("\r\nX-Forwarded-Client-Cert: "u8);
            output.Write(rewrite.ForwardedClientCert.Span);
        }
        output.Write("\r\n\r\n"u8);
        output.Commit();
    }

    private static void WriteTarget(ref BatchingBufferWriter output, HttpRequestHead head, in RequestRewrite rewrite)
    {
        var path = head.Path;
        if (path.Length == 1 && path[0] == (byte)'*')
        {
            output.Write(path);
            return;
        }
        var rest = path[Math.Min(rewrite.StripPrefixLength, path.Length)..];
        var basePath = rewrite.TargetBasePath.Span;
        output.Write(basePath);
        if (rest.IsEmpty)
        {
            if (basePath.IsEmpty)
            {
                output.Write("/"u8);
            }
        }
        else
        {
            if (rest[0] != (byte)'/')
            {
                output.Write("/"u8);
            }
            output.Write(rest);
        }
        output.Write(head.Query);
    }
}
