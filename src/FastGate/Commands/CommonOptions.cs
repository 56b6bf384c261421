using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace FastGate.Commands;

internal static class CommonOptions
{
    public static readonly Option<string> Config = new("--config", "-c")
    {
        Description = "The configuration file (JSON).",
        DefaultValueFactory = _ => "config/fastgate.json",
    };

    public static readonly Option<LogLevel> LogLevel = new("--log-level")
    {
        Description = "Minimum log level: Trace, Debug, Information, Warning, Error, Critical.",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information,
    };
}
