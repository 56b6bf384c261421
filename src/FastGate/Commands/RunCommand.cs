using System.CommandLine;
using System.Runtime.InteropServices;
using FastGate.Core.Configuration;
using FastGate.Core.Demo;
using FastGate.Core.Observability;
using FastGate.Core.Proxy;
using FastGate.Core.Tls;
using Microsoft.Extensions.Logging;

namespace FastGate.Commands;

/// <summary>`fastgate run`: load the configuration, start the gateway, stop gracefully on SIGTERM/SIGINT.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Start the gateway (the default command).")
        {
            CommonOptions.Config,
            CommonOptions.LogLevel,
        };
        command.SetAction(InvokeAsync);
        return command;
    }

    public static async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var loggerFactory = Logging.Create(parse.GetValue(CommonOptions.LogLevel));
        var logger = loggerFactory.CreateLogger("FastGate");
        LoadedConfig loaded;
        Gateway gateway;
        try
        {
            loaded = ConfigLoader.Load(parse.GetValue(CommonOptions.Config)!);
            // Before the first certificate is loaded: OpenSSL reads its process-wide settings once.
            var sessions = OpenSslProcessSettings.Apply(loaded.Config.TlsSessions);
            if (sessions.NotApplied)
            {
                GatewayLog.RuntimeSettingNotApplied(logger, sessions.Description);
            }
            else
            {
                GatewayLog.RuntimeSetting(logger, sessions.Description);
            }
            var idleBuffers = TlsIdleBuffers.Describe();
            GatewayLog.RuntimeSetting(logger, idleBuffers);
            var collector = GarbageCollectorSettings.Describe();
            GatewayLog.RuntimeSetting(logger, collector);
            DevelopmentCertificates.EnsureGenerated(loaded, logger);
            gateway = Gateway.Start(loaded, loggerFactory);
        }
        catch (ConfigException e)
        {
            ConfigErrors.Print(e);
            return 1;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await Console.Error.WriteLineAsync($"fastgate: cannot listen: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var demos = DemoUpstreams.Start(loaded, gateway.State.Current.Keystores, loggerFactory.CreateLogger("FastGate.Demo"));
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        // SIGUSR1 (log rotation) has no PosixSignal name: its Linux number is 10.
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)10, context =>
        {
            context.Cancel = true;
            gateway.AccessLog?.Reopen();
        });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            ThreadPool.QueueUserWorkItem(static g => g.Reload("SIGHUP"), gateway, preferLocal: false);
        });
        using var registration = cancellationToken.Register(() => stop.TrySetResult());
        GatewayLog.Ready(logger, Environment.ProcessId); // after the signal handlers: a SIGHUP from here on reloads
        await stop.Task.ConfigureAwait(false);

        await gateway.StopAsync().ConfigureAwait(false);
        foreach (var demo in demos)
        {
            await demo.DisposeAsync().ConfigureAwait(false);
        }
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after draining
            stop.TrySetResult();
        }
    }
}
