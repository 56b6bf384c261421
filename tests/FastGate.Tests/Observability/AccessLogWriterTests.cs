using FastGate.Core.Observability;

namespace FastGate.Tests.Observability;

public sealed class AccessLogWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fastgate-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Reopen_AfterRotation_WritesToTheNewFile()
    {
        var path = Path.Combine(_dir, "access.log");
        var writer = new AccessLogWriter(path);
        writer.Write("first"u8);
        Assert.True(await TestInfrastructure.Eventually.TrueAsync(() => writer.Written == 1));
        File.Move(path, path + ".1"); // logrotate
        writer.Reopen();
        writer.Write("second"u8);
        await writer.DisposeAsync();
        Assert.Equal(["first"], File.ReadAllLines(path + ".1"));
        Assert.Equal(["second"], File.ReadAllLines(path));
    }
}
