using System.CommandLine;
using FastGate.Core.Infrastructure;
using FastGate.Core.Tls;

namespace FastGate.Commands;

/// <summary>`fastgate certs dev`: a development CA, a server certificate and client certificates as PEM files.</summary>
internal static class CertsCommand
{
    public static Command Create()
    {
        var outOption = new Option<string>("--out") { Description = "Directory for the PEM files.", Required = true };
        var hostsOption = new Option<string[]>("--hosts")
        {
            Description = "Host names for the server certificate (first one is its subject).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["localhost"],
        };
        var dev = new Command("dev", "Generate a development CA, a server certificate for --hosts, and client certificates for a consumer and for upstreams.")
        {
            outOption,
            hostsOption,
        };
        dev.SetAction(parse =>
        {
            var hosts = new List<string>();
            foreach (var value in parse.GetValue(hostsOption)!)
            {
                hosts.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            foreach (var host in hosts)
            {
                if (!HostNames.IsValidPattern(host) && !System.Net.IPAddress.TryParse(host, out _))
                {
                    Console.Error.WriteLine($"fastgate: '{host}' is not a host name or IP address");
                    return 1;
                }
            }
            var directory = Path.GetFullPath(parse.GetValue(outOption)!);
            DevelopmentCertificateAuthority.Generate(directory, hosts);
            Console.WriteLine($"Wrote a development CA, server, client and upstream-client certificates to {directory}");
            return 0;
        });
        var list = new Command("list", "List every certificate the configuration uses: subject, SANs, issuer, where it is used, days left.")
        {
            CommonOptions.Config,
        };
        list.SetAction(parse =>
        {
            try
            {
                var loaded = Core.Configuration.ConfigLoader.Load(parse.GetValue(CommonOptions.Config)!);
                using var pools = new Core.Upstream.UpstreamConnectionPool(Timeout.InfiniteTimeSpan);
                CertificateTable.Print(Core.Proxy.GatewaySnapshotBuilder.Build(loaded, pools), Console.Out);
                return 0;
            }
            catch (Core.Configuration.ConfigException e)
            {
                ConfigErrors.Print(e);
                return 1;
            }
        });
        return new Command("certs", "Certificate tooling.") { dev, list };
    }
}
