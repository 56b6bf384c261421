using System.Buffers;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Http;

/// <summary>Writes a response head to the client from the bytes the upstream sent, minus hop-by-hop fields.</summary>
internal static class ResponseHeadWriter
{
    /// <param name="keepAlive">Whether the client connection stays open after this response.</param>
    /// <param name="clientIsHttp10">An HTTP/1.0 client needs an explicit keep-alive and never sees chunked.</param>
    /// <param name="dropTransferEncoding">The body is being de-chunked for an HTTP/1.0 client.</param>
    /// <summary>A 101 Switching Protocols head, relayed with its Connection and Upgrade fields (they describe the switch).</summary>
    public static void WriteSwitchingProtocols(IBufferWriter<byte> output, HttpResponseHead head) => output.Write(head.Span);

    public static void Write(IBufferWriter<byte> destination, HttpResponseHead head, bool keepAlive, bool clientIsHttp10, bool dropTransferEncoding)
    {
        var output = new BatchingBufferWriter(destination);
        var span = head.Span;
        // Kept lines are copied in runs: lines that follow each other in the arrived head are one copy, and a head
        // with nothing to drop (the usual response) is a single copy, blank line included.
        var runStart = 0;
        var runEnd = head.StatusLineLength + 2;
        foreach (ref readonly var field in head.Headers)
        {
            if (HopByHop.IsHopByHop(field.Known)
                || (dropTransferEncoding && field.Known == KnownHeader.TransferEncoding)
                || (field.Known == KnownHeader.None && head.ConnectionTokenCount > 0 && head.IsNominatedByConnection(head.NameOf(field))))
            {
                continue;
            }
            if (field.LineStart != runEnd)
            {
                output.Write(span[runStart..runEnd]);
                runStart = field.LineStart;
                runEnd = runStart;
            }
            runEnd += field.LineLength;
        }
        if (keepAlive && !clientIsHttp10 && runEnd == span.Length - 2)
        {
            output.Write(span[runStart..]); // the blank line as it came
        }
        else
        {
            output.Write(span[runStart..runEnd]);
            output.Write(!keepAlive ? "Connection: close\r\n\r\n"u8 : clientIsHttp10 ? "Connection: keep-alive\r\n\r\n"u8 : "\r\n"u8);
        }
        output.Commit();
    }
}
