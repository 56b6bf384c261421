using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FastGate.Core.Http;
using FastGate.Core.Transport;

namespace FastGate.Core.Demo;

/// <summary>
/// A real HTTP/1.1 upstream for the shipped configuration: answers every request with JSON describing what it
/// received (method, target, headers, body size), so a newcomer sees what the gateway forwarded. Keep-alive.
/// </summary>
internal sealed class DemoEchoHandler(string name, SslServerAuthenticationOptions? tls) : IConnectionHandler
{
    public async Task HandleAsync(Socket socket, SocketListener listener)
    {
        await using var network = new NetworkStream(socket, ownsSocket: false);
        Stream stream = network;
        SslStream? ssl = null;
        if (tls is not null)
        {
            ssl = new SslStream(network, leaveInnerStreamOpen: true);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await ssl.AuthenticateAsServerAsync(tls, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                return;
            }
            stream = ssl;
        }
        try
        {
            await ServeAsync(PipeReader.Create(stream), PipeWriter.Create(stream), ssl is not null, ssl?.RemoteCertificate?.Subject).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // client went away
        }
        finally
        {
            if (ssl is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ServeAsync(PipeReader reader, PipeWriter writer, bool isTls, string? clientCertificate)
    {
        var head = new HttpRequestHead();
        var output = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var read = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            if (!HttpRequestParser.TryParse(buffer, head, HttpParserLimits.Default, out var rejection))
            {
                if (rejection != HttpRejection.None || read.IsCompleted)
                {
                    return;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            output.Clear();
            using var json = new Utf8JsonWriter(output);
            WriteDescription(json, head, isTls, clientCertificate);
            var keepAlive = head.KeepAlive;
            var framing = head.Framing;
            var contentLength = head.ContentLength;
            reader.AdvanceTo(buffer.GetPosition(head.ConsumedLength));

            var bodyBytes = framing switch
            {
                BodyFraming.ContentLength => await SkipAsync(reader, contentLength).ConfigureAwait(false),
                BodyFraming.Chunked => await SkipChunkedAsync(reader).ConfigureAwait(false),
                _ => 0,
            };
            if (bodyBytes < 0)
            {
                return;
            }

            json.WriteNumber("body_bytes", bodyBytes);
            json.WriteEndObject();
            json.Flush();
            output.Write("\n"u8);
            var responseHead = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {output.WrittenCount}\r\n{(keepAlive ? "" : "Connection: close\r\n")}\r\n";
            writer.Write(Encoding.ASCII.GetBytes(responseHead));
            writer.Write(output.WrittenSpan);
            await writer.FlushAsync().ConfigureAwait(false);
            if (!keepAlive)
            {
                return;
            }
        }
    }

    /// <summary>Everything but the body size, which is known only after the body is read (the head's bytes are gone by then).</summary>
    private void WriteDescription(Utf8JsonWriter json, HttpRequestHead head, bool isTls, string? clientCertificate)
    {
        json.WriteStartObject();
        json.WriteString("upstream", name);
        json.WriteBoolean("tls", isTls);
        if (clientCertificate is not null)
        {
            json.WriteString("client_certificate", clientCertificate);
        }
        json.WriteString("method", head.MethodBytes);
        json.WriteString("target", head.Target);
        json.WriteStartArray("headers");
        foreach (ref readonly var field in head.Headers)
        {
            json.WriteStartArray();
            json.WriteStringValue(head.NameOf(field));
            json.WriteStringValue(head.ValueOf(field));
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    private static async ValueTask<long> SkipAsync(PipeReader reader, long length)
    {
        var total = length;
        while (length > 0)
        {
            var read = await reader.ReadAsync().ConfigureAwait(false);
            var take = Math.Min(length, read.Buffer.Length);
            reader.AdvanceTo(read.Buffer.GetPosition(take));
            length -= take;
            if (length > 0 && read.IsCompleted)
            {
                return -1;
            }
        }
        return total;
    }

    private static async ValueTask<long> SkipChunkedAsync(PipeReader reader)
    {
        var parser = new ChunkedBodyParser();
        long data = 0;
        while (true)
        {
            var read = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            long consumed = 0;
            while (true)
            {
                var piece = parser.Next(buffer.Slice(consumed), out var length);
                if (piece == ChunkedPiece.NeedMoreData)
                {
                    break;
                }
                if (piece == ChunkedPiece.Invalid)
                {
                    return -1;
                }
                consumed += length;
                if (piece == ChunkedPiece.Data)
                {
                    data += length;
                }
                if (piece == ChunkedPiece.End)
                {
                    reader.AdvanceTo(buffer.GetPosition(consumed));
                    return data;
                }
            }
            reader.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
            if (read.IsCompleted)
            {
                return -1;
            }
        }
    }
}
