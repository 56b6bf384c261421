using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FastGate.Load;

/// <summary>Run reports: Markdown (for the README and bench/results), JSON (for scripts), and a self-contained HTML page with charts.</summary>
public static class Reports
{
    public static readonly double[] Percentiles = [50, 90, 99, 99.9];

    public static string Markdown(IReadOnlyList<LoadResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | connections | model | requests | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            var s = r.Scenario;
            text.Append(CultureInfo.InvariantCulture, $"| {s.Name} | {s.Connections} | {(s.Rate > 0 ? $"open {s.Rate:0}/s" : "closed")} | {r.Requests:N0} | {r.RequestsPerSecond:N0} |");
            foreach (var p in Percentiles)
            {
                text.Append(CultureInfo.InvariantCulture, $" {r.PercentileMs(p):0.000} |");
            }
            text.Append(CultureInfo.InvariantCulture, $" {r.MaxMs:0.000} | {Describe(r.Errors)} |\n");
        }
        return text.ToString();
    }

    public static string Json(IReadOnlyList<LoadResult> results)
    {
        var list = new List<JsonResult>();
        foreach (var r in results)
        {
            var percentiles = new Dictionary<string, double>();
            foreach (var p in Percentiles)
            {
                percentiles[$"p{p.ToString(CultureInfo.InvariantCulture)}"] = r.PercentileMs(p);
            }
            percentiles["max"] = r.MaxMs;
            var errors = new Dictionary<string, long>();
            foreach (var (kind, count) in r.Errors)
            {
                errors[kind.ToString()] = count;
            }
            list.Add(new JsonResult(r.Scenario.Name, r.Scenario.Url.ToString(), r.Scenario.Connections, r.Scenario.Rate, r.Requests,
                r.Elapsed.TotalSeconds, r.RequestsPerSecond, percentiles, errors, [.. r.Timeline]));
        }
        return JsonSerializer.Serialize(list, ReportJsonContext.Default.ListJsonResult);
    }

    /// <summary>One HTML file, no external assets: a summary table, latency over time, and the percentile distribution, as inline SVG.</summary>
    public static string Html(IReadOnlyList<LoadResult> results, string title)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Escape(title)).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#1d2430}table{border-collapse:collapse}th,td{padding:4px 8px;border-bottom:1px solid #e3e6ea;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}h2{font-size:16px;margin-top:28px}svg{background:#fafbfc;border:1px solid #e3e6ea}")
            .Append("</style></head><body><h1>").Append(Escape(title)).Append("</h1>");
        html.Append("<table><tr><th>scenario</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th></tr>");
        foreach (var r in results)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Escape(r.Scenario.Name)}</td><td>{r.RequestsPerSecond:N0}</td><td>{r.PercentileMs(50):0.000}</td><td>{r.PercentileMs(90):0.000}</td><td>{r.PercentileMs(99):0.000}</td><td>{r.PercentileMs(99.9):0.000}</td><td>{r.MaxMs:0.000}</td><td>{Escape(Describe(r.Errors))}</td></tr>");
        }
        html.Append("</table>");
        foreach (var r in results)
        {
            html.Append("<h2>").Append(Escape(r.Scenario.Name)).Append(": latency over time (p50, p99 per second) and requests per second</h2>");
            html.Append(LineChart(r.Timeline));
            html.Append("<h2>").Append(Escape(r.Scenario.Name)).Append(": latency by percentile</h2>");
            html.Append(PercentileChart(r));
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static string LineChart(IReadOnlyList<SecondSample> timeline)
    {
        const int width = 900, height = 260, left = 60, bottom = 30, top = 10, right = 60;
        if (timeline.Count == 0)
        {
            return "<p>no samples</p>";
        }
        var maxLatency = Math.Max(0.001, timeline.Max(s => s.P99Ms));
        var maxRate = Math.Max(1, timeline.Max(s => s.Requests));
        double X(int i) => left + (timeline.Count == 1 ? 0 : (double)i / (timeline.Count - 1) * (width - left - right));
        double Y(double v, double max) => top + (height - top - bottom) * (1 - v / max);
        string Path(Func<SecondSample, double> value, double max) =>
            string.Join(" ", timeline.Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? "M" : "L")}{X(i):0.0},{Y(value(s), max):0.0}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><g font-size=\"11\">" +
            $"<text x=\"4\" y=\"{top + 10}\">{maxLatency:0.00} ms</text><text x=\"4\" y=\"{height - bottom}\">0</text>" +
            $"<text x=\"{width - right + 4}\" y=\"{top + 10}\">{maxRate:N0}/s</text><text x=\"{left}\" y=\"{height - 8}\">1 s</text>" +
            $"<text x=\"{width - right - 30}\" y=\"{height - 8}\">{timeline.Count} s</text></g>" +
            $"<path d=\"{Path(s => s.Requests, maxRate)}\" fill=\"none\" stroke=\"#b8c2cf\" stroke-width=\"1.5\"/>" +
            $"<path d=\"{Path(s => s.P50Ms, maxLatency)}\" fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\"/>" +
            $"<path d=\"{Path(s => s.P99Ms, maxLatency)}\" fill=\"none\" stroke=\"#dc2626\" stroke-width=\"2\"/>" +
            $"<g font-size=\"12\"><text x=\"{left + 10}\" y=\"{top + 14}\" fill=\"#2563eb\">p50</text><text x=\"{left + 50}\" y=\"{top + 14}\" fill=\"#dc2626\">p99</text><text x=\"{left + 90}\" y=\"{top + 14}\" fill=\"#8a96a8\">requests/s</text></g></svg>");
    }

    private static string PercentileChart(LoadResult result)
    {
        const int width = 900, height = 240, left = 60, bottom = 30, top = 10;
        double[] points = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];
        var values = points.Select(p => p == 100 ? result.MaxMs : result.PercentileMs(p)).ToArray();
        var max = Math.Max(0.001, values.Max());
        // x: "nines" scale, as HdrHistogram plots: -log10(1 - p/100), capped.
        double Nines(double p) => p >= 100 ? 5 : -Math.Log10(1 - (p / 100));
        double X(double p) => left + (Nines(p) / 5) * (width - left - 20);
        double Y(double v) => top + (height - top - bottom) * (1 - v / max);
        var path = string.Join(" ", points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? "M" : "L")}{X(p):0.0},{Y(values[i]):0.0}")));
        var labels = string.Concat(points.Skip(1).Select((p, i) => string.Create(CultureInfo.InvariantCulture,
            $"<text x=\"{X(p) - 12:0}\" y=\"{height - 8}\">{(p == 100 ? "max" : p.ToString(CultureInfo.InvariantCulture))}</text>")));
        return string.Create(CultureInfo.InvariantCulture,
            $"<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><g font-size=\"11\">{labels}" +
            $"<text x=\"4\" y=\"{top + 10}\">{max:0.00} ms</text><text x=\"4\" y=\"{height - bottom}\">0</text></g>" +
            $"<path d=\"{path}\" fill=\"none\" stroke=\"#7c3aed\" stroke-width=\"2\"/></svg>");
    }

    private static string Describe(IReadOnlyDictionary<ErrorKind, long> errors) =>
        errors.Count == 0 ? "0" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value:N0}"));

    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);
}

public sealed record JsonResult(string Scenario, string Url, int Connections, double Rate, long Requests, double Seconds,
    double RequestsPerSecond, Dictionary<string, double> LatencyMs, Dictionary<string, long> Errors, List<SecondSample> Timeline);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<JsonResult>))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
