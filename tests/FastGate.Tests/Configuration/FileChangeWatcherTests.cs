using FastGate.Core.Configuration;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Configuration;

/// <summary>
/// The watcher's baseline is what the gateway read, not what is on disk when the watch starts: a write that lands
/// between a load's read and the watch (a config file finished while a reload parsed its first half) must still be
/// loaded. Until 2026-12-03 the baseline was taken from the disk after each reload, and such a write was lost — the
/// gateway kept serving the old configuration with no error (seen as a rare failure of the Kubernetes secret test).
/// </summary>
public sealed class FileChangeWatcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fastgate-watch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var file = Path.Combine(_dir, name);
        File.WriteAllText(file, content);
        return file;
    }

    [Fact]
    public async Task Watch_FileChangedAfterItWasRead_Fires()
    {
        var file = Write("fastgate.json", "{ \"listeners\": [");
        var files = new List<string> { file };
        var baseline = FileChangeWatcher.Fingerprint(files, file, File.ReadAllBytes(file));
        File.WriteAllText(file, "{ \"listeners\": [] }"); // the writer finishes after the read, before the watch starts
        var changes = 0;
        using var watcher = new FileChangeWatcher(TimeSpan.FromMilliseconds(20), () => Interlocked.Increment(ref changes));
        watcher.Watch(files, baseline);
        Assert.True(await Eventually.TrueAsync(() => Volatile.Read(ref changes) >= 1), "a write made after the read was not noticed");
    }

    [Fact]
    public void Fingerprint_WithTheDigestOfWhatWasRead_EqualsTheFileOnDiskUntilItChanges()
    {
        var config = Write("fastgate.json", "{}");
        var certificate = Write("server.crt", "certificate");
        var missing = Path.Combine(_dir, "not-there.key");
        var files = new List<string> { config, certificate, missing };
        var read = File.ReadAllBytes(config);

        Assert.Equal(FileChangeWatcher.Fingerprint(files), FileChangeWatcher.Fingerprint(files, config, read));
        Assert.NotEqual(FileChangeWatcher.Fingerprint(files), FileChangeWatcher.Fingerprint(files, config, readContent: null)); // read as missing
        File.WriteAllText(config, "{ }");
        Assert.NotEqual(FileChangeWatcher.Fingerprint(files), FileChangeWatcher.Fingerprint(files, config, read));
        var before = FileChangeWatcher.Fingerprint(files);
        File.WriteAllText(missing, ""); // a named file appearing, even empty, is a change
        Assert.NotEqual(before, FileChangeWatcher.Fingerprint(files));
    }

    [Fact]
    public void Load_InvalidFile_StillGivesWhatItRead()
    {
        var file = Write("fastgate.json", "{ \"listeners\": [");
        byte[]? read = null;
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, out read));
        Assert.Equal(File.ReadAllBytes(file), read);

        var gone = Path.Combine(_dir, "gone.json");
        read = [1];
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(gone, out read));
        Assert.Null(read);
    }

    [Fact]
    public void Load_ValidFile_CarriesItsBytes()
    {
        var file = Write("fastgate.json", "\uFEFF{ \"listeners\": [ { \"name\": \"http\", \"address\": \"127.0.0.1:0\" } ] }");
        var loaded = ConfigLoader.Load(file);
        Assert.Equal(File.ReadAllBytes(file), loaded.SourceBytes);
        Assert.Single(loaded.Config.Listeners); // a byte-order mark is still skipped, as File.ReadAllText did
    }
}
