using System.CommandLine;
using FastGate.Commands;

namespace FastGate;

internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("FastGate: a TLS/mTLS API gateway (HTTP/1.1 reverse proxy on raw sockets).");
        var run = RunCommand.Create();
        root.Subcommands.Add(run);
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(CertsCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());

        // `fastgate --config FILE` means `fastgate run --config FILE`.
        foreach (var option in run.Options)
        {
            root.Options.Add(option);
        }
        root.SetAction(RunCommand.InvokeAsync);
        return root.Parse(args).InvokeAsync();
    }
}
