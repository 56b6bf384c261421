namespace FastGate.Core.Configuration;

/// <summary>A parsed configuration and where it came from (relative file paths resolve against <see cref="BaseDirectory"/>).</summary>
internal sealed record LoadedConfig(string FilePath, string BaseDirectory, GatewayConfig Config)
{
    /// <summary>The file's bytes this was parsed from (a configuration file is a few KiB); null when not loaded from a file.</summary>
    public byte[]? SourceBytes { get; init; }

    /// <summary>The files to watch and their baseline: the configuration file as parsed, the files it names as they are now (before a snapshot reads them).</summary>
    public (List<string> Files, byte[] Baseline) WatchBaseline()
    {
        var files = ReferencedFiles.Of(this);
        return (files, SourceBytes is null ? FileChangeWatcher.Fingerprint(files) : FileChangeWatcher.Fingerprint(files, FilePath, SourceBytes));
    }

    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
