using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace FastGate.Core.Proxy;

/// <summary>Formats one access-log line (JSON lines, or the combined log format) from a finished request, without allocating.</summary>
internal static class AccessLogFormatter
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Utf8JsonWriter CreateWriter(IBufferWriter<byte> output) => new(output, Options);

    public static void WriteJson(Utf8JsonWriter json, ClientSession session, RequestRecord record)
    {
        json.WriteStartObject();
        json.WriteString("time"u8, DateTime.UtcNow);
        json.WriteString("request_id"u8, record.RequestId.Span);
        json.WriteString("client"u8, session.ClientAddress.Span);
        WriteStringOrNull(json, "sni"u8, session.ServerName);
        WriteStringOrNull(json, "client_cert"u8, session.Identity?.Subject);
        WriteStringOrNull(json, "application"u8, session.Application?.Name);
        WriteStringOrNull(json, "api"u8, record.Api?.Name);
        json.WriteString("request"u8, record.RequestLine);
        json.WriteNumber("status"u8, record.Status);
        json.WriteNumber("bytes_in"u8, record.RequestBytes);
        json.WriteNumber("bytes_out"u8, record.ResponseBytes);
        WriteStringOrNull(json, "upstream"u8, record.Api?.Endpoint.Key);
        WriteMilliseconds(json, "upstream_connect_ms"u8, record.UpstreamStart, record.UpstreamConnected);
        WriteMilliseconds(json, "upstream_tls_ms"u8, record.UpstreamConnected, record.UpstreamTlsDone);
        WriteMilliseconds(json, "upstream_first_byte_ms"u8, record.UpstreamStart, record.FirstByte);
        WriteMilliseconds(json, "total_ms"u8, record.Start, record.End);
        json.WriteBoolean("reused"u8, record.Reused);
        WriteStringOrNull(json, "error"u8, record.ErrorCode);
        json.WriteEndObject();
        json.Flush();
    }

    /// <summary>Apache/nginx combined: host ident user [time] "request" status bytes "referer" "agent".</summary>
    public static void WriteCombined(IBufferWriter<byte> output, ClientSession session, RequestRecord record)
    {
        output.Write(session.ClientAddress.Span);
        output.Write(" - - ["u8);
        Span<byte> time = stackalloc byte[32];
        Utf8Formatter.TryFormat(DateTimeOffset.UtcNow, time, out var written, new StandardFormat('O'));
        output.Write(time[..written]);
        output.Write("] \""u8);
        output.Write(record.RequestLine);
        output.Write("\" "u8);
        WriteNumber(output, record.Status);
        output.Write(" "u8);
        WriteNumber(output, record.ResponseBytes);
        output.Write(" \""u8);
        output.Write(record.Referer.IsEmpty ? "-"u8 : record.Referer);
        output.Write("\" \""u8);
        output.Write(record.UserAgent.IsEmpty ? "-"u8 : record.UserAgent);
        output.Write("\""u8);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        output.Write(digits[..written]);
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteMilliseconds(Utf8JsonWriter json, ReadOnlySpan<byte> name, long from, long to)
    {
        var seconds = RequestRecord.Seconds(from, to);
        if (seconds < 0)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, Math.Round(seconds * 1000, 3));
        }
    }
}
