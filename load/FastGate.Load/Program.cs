using System.CommandLine;
using System.Net;

namespace FastGate.Load;

/// <summary>
/// fastgate-load: FastGate's load generator (NBomber's role: scenarios, closed and open models, HdrHistogram
/// percentiles, Markdown/JSON/HTML reports) and a minimal fast test upstream for benchmarks.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        // Socket continuations inline on the epoll thread (read once, at the first socket use): the generator must not
        // be the bottleneck. An explicit DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 is respected.
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
        {
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        }
        var root = new RootCommand("FastGate's load generator and benchmark upstream.");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(UpstreamCommand());
        root.Subcommands.Add(HoldCommand.Create());
        return root.Parse(args).InvokeAsync();
    }

    private static Command RunCommand()
    {
        var url = new Argument<string>("url") { Description = "http:// or https:// URL to load." };
        var name = new Option<string>("--name") { Description = "Scenario name in reports.", DefaultValueFactory = _ => "scenario" };
        var connections = new Option<int>("--connections", "-c") { Description = "Concurrent connections.", DefaultValueFactory = _ => 64 };
        var duration = new Option<double>("--duration", "-d") { Description = "Measured seconds.", DefaultValueFactory = _ => 10 };
        var warmUp = new Option<double>("--warmup") { Description = "Seconds of unrecorded warm-up.", DefaultValueFactory = _ => 2 };
        var rate = new Option<double>("--rate", "-r") { Description = "Open model: requests per second in total (0: closed model, as fast as possible)." };
        var method = new Option<string>("--method", "-m") { Description = "HTTP method.", DefaultValueFactory = _ => "GET" };
        var bodySize = new Option<int>("--body-size") { Description = "Request body bytes (POST/PUT)." };
        var headers = new Option<string[]>("--header", "-H") { Description = "Extra request header 'Name: value' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var newConnection = new Option<bool>("--new-connection") { Description = "A new connection (and TLS handshake) per request." };
        var resume = new Option<bool>("--resume") { Description = "With --new-connection: resume the TLS session." };
        var sni = new Option<string?>("--sni") { Description = "SNI name (default: the URL's host)." };
        var resolve = new Option<string?>("--connect-to") { Description = "Connect to this IP:port instead of resolving the host." };
        var ca = new Option<string?>("--cacert") { Description = "CA (PEM) that signs the server certificate." };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Accept any server certificate." };
        var cert = new Option<string?>("--cert") { Description = "Client certificate (PEM)." };
        var key = new Option<string?>("--key") { Description = "Client private key (PEM)." };
        var maxRequests = new Option<long>("--requests", "-n") { Description = "Stop after this many requests (0: run for the duration)." };
        var report = new Option<string?>("--report") { Description = "Write reports to this path prefix (.md, .json, .html)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress line." };
        var command = new Command("run", "Load a URL and report throughput, latency percentiles and errors.")
        {
            url, name, connections, duration, warmUp, rate, method, bodySize, headers, newConnection, resume, sni, resolve, ca, insecure, cert, key, maxRequests, report, quiet,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var extra = new List<(string, string)>();
            foreach (var header in parse.GetValue(headers) ?? [])
            {
                var colon = header.IndexOf(':');
                if (colon <= 0)
                {
                    await Console.Error.WriteLineAsync($"fastgate-load: '{header}' is not 'Name: value'").ConfigureAwait(false);
                    return 2;
                }
                extra.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
            }
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
            {
                await Console.Error.WriteLineAsync($"fastgate-load: '{parse.GetValue(url)}' is not an http:// or https:// URL").ConfigureAwait(false);
                return 2;
            }
            IPEndPoint? connectTo = null;
            if (parse.GetValue(resolve) is { } text && !IPEndPoint.TryParse(text, out connectTo))
            {
                await Console.Error.WriteLineAsync($"fastgate-load: '{text}' is not IP:port").ConfigureAwait(false);
                return 2;
            }
            var scenario = new Scenario
            {
                Name = parse.GetValue(name)!,
                Url = target,
                Method = parse.GetValue(method)!.ToUpperInvariant(),
                Body = new byte[parse.GetValue(bodySize)],
                Headers = extra,
                Connections = parse.GetValue(connections),
                Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
                WarmUp = TimeSpan.FromSeconds(parse.GetValue(warmUp)),
                Rate = parse.GetValue(rate),
                NewConnectionPerRequest = parse.GetValue(newConnection),
                ResumeTls = parse.GetValue(resume),
                Sni = parse.GetValue(sni),
                ConnectTo = connectTo,
                CaFile = parse.GetValue(ca),
                Insecure = parse.GetValue(insecure),
                ClientCertificateFile = parse.GetValue(cert),
                ClientKeyFile = parse.GetValue(key),
                MaxRequests = parse.GetValue(maxRequests),
            };
            var showProgress = !parse.GetValue(quiet);
            var result = await LoadRunner.RunAsync(scenario, showProgress ? line => Console.Error.WriteLine(line) : null, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<LoadResult> results = [result];
            Console.WriteLine(Reports.Markdown(results));
            if (parse.GetValue(report) is { } prefix)
            {
                await File.WriteAllTextAsync(prefix + ".md", Reports.Markdown(results), cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(prefix + ".json", Reports.Json(results), cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(prefix + ".html", Reports.Html(results, $"fastgate-load: {scenario.Name}"), cancellationToken).ConfigureAwait(false);
            }
            return result.Requests > 0 ? 0 : 1;
        });
        return command;
    }

    private static Command UpstreamCommand()
    {
        var listen = new Option<string>("--listen") { Description = "IP:port to listen on.", DefaultValueFactory = _ => "127.0.0.1:9500" };
        var bodySize = new Option<int>("--body-size") { Description = "Response body bytes.", DefaultValueFactory = _ => 64 };
        var cert = new Option<string?>("--cert") { Description = "Server certificate (PEM) for HTTPS." };
        var key = new Option<string?>("--key") { Description = "Server key (PEM)." };
        var clientCa = new Option<string?>("--client-ca") { Description = "Require client certificates from this CA (mutual TLS)." };
        var command = new Command("upstream", "A minimal, fast upstream for benchmarks (plain, TLS or mTLS; fixed body size).")
        {
            listen, bodySize, cert, key, clientCa,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint))
            {
                await Console.Error.WriteLineAsync("fastgate-load: --listen needs IP:port").ConfigureAwait(false);
                return 2;
            }
            var server = new TestUpstreamServer(parse.GetValue(bodySize), parse.GetValue(cert), parse.GetValue(key), parse.GetValue(clientCa));
            Console.WriteLine($"upstream listening on {endpoint} ({parse.GetValue(bodySize)} B bodies{(parse.GetValue(cert) is null ? "" : parse.GetValue(clientCa) is null ? ", TLS" : ", mutual TLS")})");
            await server.RunAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
