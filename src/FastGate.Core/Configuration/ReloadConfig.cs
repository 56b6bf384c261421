namespace FastGate.Core.Configuration;

/// <summary>Hot reload: the configuration and every file it names are checked for changes on this interval.</summary>
internal sealed class ReloadConfig
{
    public bool WatchFiles { get; set; } = true;
    public double WatchIntervalSeconds { get; set; } = 2;
}
