using System.Diagnostics;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>Runs a real peer (curl, openssl) installed from Debian's packages by .ci/run, with a timeout.</summary>
public static class ExternalTool
{
    public static async Task<(int Exit, string Output)> RunAsync(string tool, string stdin, params string[] arguments)
    {
        var path = Find(tool);
        Assert.True(path is not null, $"{tool} is not installed: run `apt-get install -y {tool}` (.ci/run installs it)");
        var start = new ProcessStartInfo(path!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within 20 s");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
