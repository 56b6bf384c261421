using System.Collections.Concurrent;
using System.Diagnostics;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>The real `fastgate run` executable on a configuration file, its output collected; killed on dispose.</summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process) => _process = process;

    public ConcurrentQueue<string> Output { get; } = new();
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string OutputText => string.Join("\n", Output);

    /// <summary>Starts the gateway and waits (30 s at most) until it logs that it is ready (its signal handlers are in place).</summary>
    /// <param name="maxOpenFiles">The process's descriptor limit (RLIMIT_NOFILE, set with util-linux's prlimit).</param>
    public static async Task<GatewayProcess> StartAsync(string configFile, int? maxOpenFiles = null)
    {
        var start = new ProcessStartInfo(maxOpenFiles is null ? "dotnet" : "prlimit") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] command = [Path.Combine(AppContext.BaseDirectory, "fastgate.dll"), "run", "--config", configFile];
        if (maxOpenFiles is { } limit)
        {
            command = [$"--nofile={limit}:{limit}", "dotnet", .. command];
        }
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }
        var gateway = new GatewayProcess(Process.Start(start)!);
        gateway._process.OutputDataReceived += (_, e) => { if (e.Data is not null) gateway.Output.Enqueue(e.Data); };
        gateway._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) gateway.Output.Enqueue(e.Data); };
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        if (!await Eventually.TrueAsync(() => gateway.HasLogged("Ready (pid") || gateway.HasExited, TimeSpan.FromSeconds(30)) || gateway.HasExited)
        {
            var output = gateway.OutputText;
            gateway.Dispose();
            Assert.Fail($"the gateway did not start:\n{output}");
        }
        return gateway;
    }

    public bool HasLogged(string text) => Output.Any(l => l.Contains(text, StringComparison.Ordinal));

    public int CountLogged(string text) => Output.Count(l => l.Contains(text, StringComparison.Ordinal));

    public async Task SignalAsync(string signal) =>
        Assert.Equal(0, (await ExternalTool.RunAsync("kill", "", $"-{signal}", _process.Id.ToString())).Exit);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
