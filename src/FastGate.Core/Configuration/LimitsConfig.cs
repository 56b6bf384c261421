namespace FastGate.Core.Configuration;

internal sealed class LimitsConfig
{
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;
    public int MaxRequestHeadBytes { get; set; } = 32 * 1024;
    public int MaxHeaderCount { get; set; } = 100;
    /// <summary>Request bodies larger than this get 413 (nginx's client_max_body_size default); 0: no limit. APIs may override.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest wait for the next bytes of a request body (nginx's client_body_timeout); then 408.</summary>
    public double RequestBodyTimeoutSeconds { get; set; } = 60;

    public double HandshakeTimeoutSeconds { get; set; } = 10;
    public double RequestHeadTimeoutSeconds { get; set; } = 30;
    public double KeepAliveTimeoutSeconds { get; set; } = 75;
    public double UpstreamResponseTimeoutSeconds { get; set; } = 60;
    public double ShutdownDrainSeconds { get; set; } = 30;
}
