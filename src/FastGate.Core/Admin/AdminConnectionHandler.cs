using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FastGate.Core.Http;
using FastGate.Core.Observability;
using FastGate.Core.Transport;

namespace FastGate.Core.Admin;

/// <summary>
/// The admin listener's HTTP/1.1 endpoints: /healthz (process up), /readyz (configuration loaded and listeners
/// bound), /metrics (Prometheus), /status.json and the status page at /. Keep-alive; GET and HEAD only.
/// Not on the request path: allocations here are fine.
/// </summary>
internal sealed class AdminConnectionHandler(IStatusSource source) : IConnectionHandler
{
    public async Task HandleAsync(Socket socket, SocketListener listener)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = PipeReader.Create(stream);
        var writer = PipeWriter.Create(stream);
        var head = new HttpRequestHead();
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = read.Buffer;
                if (!HttpRequestParser.TryParse(buffer, head, HttpParserLimits.Default, out var rejection))
                {
                    if (rejection != HttpRejection.None || read.IsCompleted)
                    {
                        if (rejection != HttpRejection.None)
                        {
                            await RespondAsync(writer, 400, "text/plain", "bad request\n", close: true, headOnly: false).ConfigureAwait(false);
                        }
                        return;
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                var path = Encoding.ASCII.GetString(head.Path);
                var method = head.Method;
                var keepAlive = head.KeepAlive && !head.HasBody;
                reader.AdvanceTo(buffer.GetPosition(head.ConsumedLength));
                var (status, type, body) = method is HttpMethodKind.Get or HttpMethodKind.Head ? Route(path) : (405, "text/plain", "GET or HEAD only\n");
                await RespondAsync(writer, status, type, body, !keepAlive, method == HttpMethodKind.Head).ConfigureAwait(false);
                if (!keepAlive)
                {
                    return;
                }
            }
        }
        catch (IOException)
        {
            // the scraper went away
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private (int Status, string Type, string Body) Route(string path) => path switch
    {
        "/healthz" => (200, "text/plain", "ok\n"),
        "/readyz" => source.IsReady ? (200, "text/plain", "ready\n") : (503, "text/plain", "not ready\n"),
        "/metrics" => (200, "text/plain; version=0.0.4; charset=utf-8", PrometheusExposition.Write(source.Metrics, source.Status())),
        "/status.json" => (200, "application/json", JsonSerializer.Serialize(source.Status(), StatusJsonContext.Default.GatewayStatus)),
        "/" => (200, "text/html; charset=utf-8", StatusPage.Html),
        _ => (404, "text/plain", "not found: /healthz /readyz /metrics /status.json /\n"),
    };

    private static async ValueTask RespondAsync(PipeWriter writer, int status, string type, string body, bool close, bool headOnly)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", 405 => "Method Not Allowed", _ => "Service Unavailable" };
        writer.Write(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\nCache-Control: no-store\r\n{(close ? "Connection: close\r\n" : "")}\r\n"));
        if (!headOnly)
        {
            writer.Write(bytes);
        }
        await writer.FlushAsync().ConfigureAwait(false);
    }
}
