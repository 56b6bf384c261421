using System.CommandLine;

namespace FastGate.Load;

/// <summary>`fastgate-load hold`: opens N keep-alive connections (TLS handshakes done, one request each) and holds them idle, to measure memory per idle connection.</summary>
internal static class HoldCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "http:// or https:// URL." };
        var connections = new Option<int>("--connections", "-c") { Description = "Connections to hold.", DefaultValueFactory = _ => 2000 };
        var seconds = new Option<double>("--seconds") { Description = "How long to hold them.", DefaultValueFactory = _ => 10 };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Accept any server certificate." };
        var cert = new Option<string?>("--cert") { Description = "Client certificate (PEM)." };
        var key = new Option<string?>("--key") { Description = "Client private key (PEM)." };
        var connectTo = new Option<string?>("--connect-to") { Description = "Connect to this IP:port instead of resolving the host." };
        var command = new Command("hold", "Open N connections, make one request on each, then hold them idle.") { url, connections, seconds, insecure, cert, key, connectTo };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scenario = new Scenario
            {
                Name = "hold",
                Url = new Uri(parse.GetValue(url)!),
                Insecure = parse.GetValue(insecure),
                ClientCertificateFile = parse.GetValue(cert),
                ClientKeyFile = parse.GetValue(key),
                ConnectTo = parse.GetValue(connectTo) is { } address ? System.Net.IPEndPoint.Parse(address) : null,
            };
            var factory = new ConnectionFactory(scenario);
            var request = System.Text.Encoding.ASCII.GetBytes($"GET {scenario.Url.PathAndQuery} HTTP/1.1\r\nHost: {scenario.Url.Authority}\r\n\r\n");
            var streams = new List<Stream>();
            var failures = 0;
            using var gate = new SemaphoreSlim(64);
            var opening = new List<Task>();
            var lockObject = new Lock();
            for (var i = 0; i < parse.GetValue(connections); i++)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                opening.Add(Task.Run(async () =>
                {
                    try
                    {
                        var stream = await factory.OpenAsync(resumable: true, cancellationToken).ConfigureAwait(false);
                        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                        var status = await new ResponseReader(stream).ReadAsync(false, cancellationToken).ConfigureAwait(false);
                        lock (lockObject)
                        {
                            if (status == 200)
                            {
                                streams.Add(stream);
                            }
                            else
                            {
                                failures++;
                            }
                        }
                    }
                    catch (Exception e) when (e is LoadException or IOException)
                    {
                        lock (lockObject)
                        {
                            failures++;
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, cancellationToken));
            }
            await Task.WhenAll(opening).ConfigureAwait(false);
            Console.WriteLine($"holding {streams.Count} connections ({failures} failed)");
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(parse.GetValue(seconds)), cancellationToken).ConfigureAwait(false);
            foreach (var stream in streams)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }
}
