using FastGate.Tests.Configuration;

namespace FastGate.Tests.Cli;

[Collection("Console")]
public sealed class CommandLineTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(outWriter);
        Console.SetError(errWriter);
        try
        {
            var exit = await FastGate.Program.Main(args);
            return (exit, outWriter.ToString(), errWriter.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public async Task Validate_ShippedConfig_Exit0()
    {
        var (exit, output, _) = await RunAsync("validate", "--config", Path.Combine(ConfigLoaderTests.FindRepositoryRoot(), "config", "fastgate.json"));
        Assert.Equal(0, exit);
        Assert.Contains("valid", output);
    }

    [Fact]
    public async Task Validate_BrokenConfig_Exit1WithEveryError()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bad.json");
        await File.WriteAllTextAsync(file, """{ "listeners": [ { "address": "nowhere" } ], "apis": [ { "name": "a", "listen_path": "x", "target_url": "http://u" } ] }""");
        var (exit, _, error) = await RunAsync("validate", "--config", file);
        Assert.Equal(1, exit);
        Assert.Contains($"{file}: $.listeners[0].address", error);
        Assert.Contains($"{file}: $.apis[0].listen_path", error);
    }

    [Fact]
    public async Task CertsDev_WritesUsableFiles()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "dev");
        var (exit, _, _) = await RunAsync("certs", "dev", "--out", dir, "--hosts", "a.test,b.test");
        Assert.Equal(0, exit);
        var server = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            Path.Combine(dir, "server.crt"), Path.Combine(dir, "server.key"));
        Assert.Equal("CN=a.test", server.Subject);
        Assert.True(server.HasPrivateKey);
        Assert.Contains("b.test", server.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }
}
