using System.Buffers;
using System.Text.Json;
using FastGate.Core.Http;
using Microsoft.Extensions.ObjectPool;

namespace FastGate.Core.Proxy;

/// <summary>
/// The state of one request–response exchange: the parsed heads, the forwarding state, the record for metrics and
/// the access log, and where its log line is formatted. A connection rents one when a request's first bytes arrive
/// and returns it when it goes idle, so idle keep-alive connections hold none of it (~1.5 KiB each; dotnet-gcdump).
/// </summary>
internal sealed class Exchange : IResettable
{
    // Bounded by the exchanges in flight at the busiest moment, not by connections.
    private static readonly ObjectPool<Exchange> Pool =
        new DefaultObjectPoolProvider { MaximumRetained = 1024 }.Create<Exchange>();

    private ArrayBufferWriter<byte>? _logBuffer;
    private Utf8JsonWriter? _logWriter;

    public HttpRequestHead Request { get; } = new();
    public HttpResponseHead Response { get; } = new();
    public RequestRecord Record { get; } = new();

    /// <summary>The request on its way to the upstream and back (steps 7–10).</summary>
    public ForwardState Forward { get; } = new();

    /// <summary>Where an access-log line is formatted before it is queued (created at the first line, so a gateway
    /// without access log carries none).</summary>
    public ArrayBufferWriter<byte> LogBuffer => _logBuffer ??= new(1024);

    public Utf8JsonWriter LogWriter()
    {
        LogBuffer.ResetWrittenCount();
        if (_logWriter is null)
        {
            _logWriter = AccessLogFormatter.CreateWriter(LogBuffer);
        }
        else
        {
            _logWriter.Reset(LogBuffer);
        }
        return _logWriter;
    }

    public static Exchange Rent() => Pool.Get();

    public static void Return(Exchange exchange) => Pool.Return(exchange);

    public bool TryReset()
    {
        Request.ReleaseBuffers();
        Response.ReleaseBuffers();
        Record.Clear();
        return true;
    }
}
