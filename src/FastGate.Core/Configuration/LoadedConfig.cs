namespace FastGate.Core.Configuration;

/// <summary>A parsed configuration and where it came from (relative file paths resolve against <see cref="BaseDirectory"/>).</summary>
internal sealed record LoadedConfig(string FilePath, string BaseDirectory, GatewayConfig Config)
{
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
