using FastGate.Core.Configuration;
using FastGate.Core.Tls;
using Microsoft.Extensions.Logging;

namespace FastGate.Commands;

internal static class DevelopmentCertificates
{
    /// <summary>Generates the configuration's development certificates when its directory lacks them.</summary>
    public static void EnsureGenerated(LoadedConfig loaded, ILogger logger)
    {
        if (loaded.Config.DevelopmentCertificates is not { Directory: { } directory } dev)
        {
            return;
        }
        var path = loaded.ResolvePath(directory);
        if (DevelopmentCertificateAuthority.IsComplete(path, dev.Hosts))
        {
            return;
        }
        DevelopmentCertificateAuthority.Generate(path, dev.Hosts);
#pragma warning disable CA1848, CA1873 // once, at start
        logger.LogWarning("Generated development certificates in {Directory} for {Hosts}: a development CA whose key lies beside it; never use them in production",
            path, string.Join(", ", dev.Hosts));
#pragma warning restore CA1848, CA1873
    }
}
