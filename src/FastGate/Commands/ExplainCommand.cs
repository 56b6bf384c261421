using System.CommandLine;
using FastGate.Core.Configuration;
using FastGate.Core.Proxy;
using FastGate.Core.Upstream;

namespace FastGate.Commands;

/// <summary>`fastgate explain --api NAME URL`: which client certificate a request to URL would carry, and why.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var apiOption = new Option<string>("--api") { Description = "The API definition's name.", Required = true };
        var urlArgument = new Argument<string>("url") { Description = "The upstream URL, e.g. https://orders.internal:8443/v1 (default: the API's target URL)." };
        urlArgument.DefaultValueFactory = _ => "";
        var command = new Command("explain", "Show which upstream client certificate a request would carry, and which key chose it.")
        {
            CommonOptions.Config,
            apiOption,
            urlArgument,
        };
        command.SetAction(parse =>
        {
            try
            {
                var loaded = ConfigLoader.Load(parse.GetValue(CommonOptions.Config)!);
                using var pools = new UpstreamConnectionPool(Timeout.InfiniteTimeSpan);
                var snapshot = GatewaySnapshotBuilder.Build(loaded, pools);
                var name = parse.GetValue(apiOption)!;
                ProxyApi? api = null;
                foreach (var candidate in snapshot.Apis)
                {
                    if (candidate.Name == name)
                    {
                        api = candidate;
                    }
                }
                if (api is null)
                {
                    Console.Error.WriteLine($"fastgate: no API named '{name}'");
                    return 1;
                }
                var text = parse.GetValue(urlArgument);
                var url = string.IsNullOrEmpty(text) ? api.TargetUrl : Uri.TryCreate(text, UriKind.Absolute, out var parsed) ? parsed : null;
                if (url is null || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                {
                    Console.Error.WriteLine($"fastgate: '{text}' is not an absolute http:// or https:// URL");
                    return 1;
                }
                Console.WriteLine($"API '{api.Name}' calling {url.GetLeftPart(UriPartial.Authority)} (host '{url.IdnHost}', port {url.Port})");
                if (url.Scheme == Uri.UriSchemeHttp)
                {
                    Console.WriteLine("  client certificate: none (plain HTTP)");
                    return 0;
                }
                var (certificate, reason) = GatewaySnapshotBuilder.ChooseClientCertificate(api.UpstreamCertificates, snapshot.GlobalUpstreamCertificates, url.IdnHost, url.Port);
                if (certificate is null)
                {
                    Console.WriteLine($"  client certificate: none ({reason})");
                    return 0;
                }
                var cert = certificate.Keystore.Certificate;
                Console.WriteLine($"  client certificate: keystore '{certificate.Name}': {cert.Subject}, issuer {cert.Issuer}, expires {cert.NotAfter.ToUniversalTime():yyyy-MM-dd}");
                Console.WriteLine($"  chosen by: {reason}");
                Console.WriteLine($"  source: {certificate.Keystore.Source}");
                return 0;
            }
            catch (ConfigException e)
            {
                ConfigErrors.Print(e);
                return 1;
            }
        });
        return command;
    }
}
