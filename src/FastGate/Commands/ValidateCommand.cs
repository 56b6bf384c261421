using System.CommandLine;
using FastGate.Core.Configuration;
using FastGate.Core.Proxy;
using FastGate.Core.Upstream;

namespace FastGate.Commands;

/// <summary>`fastgate validate`: check a configuration, its certificates and keys, without starting. Exit 0 valid, 1 invalid.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check a configuration file and every certificate it names, without starting.")
        {
            CommonOptions.Config,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(CommonOptions.Config)!;
            try
            {
                var loaded = ConfigLoader.Load(file);
                if (loaded.Config.DevelopmentCertificates is { Directory: { } dir }
                    && !Core.Tls.DevelopmentCertificateAuthority.IsComplete(loaded.ResolvePath(dir), loaded.Config.DevelopmentCertificates.Hosts))
                {
                    Console.WriteLine($"{loaded.FilePath}: valid; development certificates will be generated in {loaded.ResolvePath(dir)} at start");
                    return 0;
                }
                using var pools = new UpstreamConnectionPool(Timeout.InfiniteTimeSpan);
                var snapshot = GatewaySnapshotBuilder.Build(loaded, pools);
                Console.WriteLine($"{loaded.FilePath}: valid ({snapshot.Listeners.Count} listener(s), {snapshot.Apis.Count} API(s), {snapshot.Keystores.Count} keystore(s))");
                Console.WriteLine();
                CertificateTable.Print(snapshot, Console.Out);
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
