namespace FastGate.Core.Configuration;

internal sealed class LimitsConfig
{
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;
    public int MaxRequestHeadBytes { get; set; } = 32 * 1024;
    public int MaxHeaderCount { get; set; } = 100;
    public double HandshakeTimeoutSeconds { get; set; } = 10;
    public double RequestHeadTimeoutSeconds { get; set; } = 30;
    public double KeepAliveTimeoutSeconds { get; set; } = 75;
    public double UpstreamResponseTimeoutSeconds { get; set; } = 60;
    public double ShutdownDrainSeconds { get; set; } = 30;
}
