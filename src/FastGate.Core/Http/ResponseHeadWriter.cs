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
        output.Write(span[..(head.StatusLineLength + 2)]);
        foreach (ref readonly var field in head.Headers)
        {
            if (HopByHop.IsHopByHop(field.Known)
                || (dropTransferEncoding && field.Known == KnownHeader.TransferEncoding)
                || (field.Known == KnownHeader.None && head.ConnectionTokenCount > 0 && head.IsNominatedByConnection(head.NameOf(field))))
            {
                continue;
            }
            output.Write(span.Slice(field.LineStart, field.LineLength));
        }
        if (!keepAlive)
        {
            output.Write("Connection: close\r\n"u8);
        }
        else if (clientIsHttp10)
        {
            output.Write("Connection: keep-alive\r\n"u8);
        }
        output.Write("\r\n"u8);
        output.Commit();
    }
}
