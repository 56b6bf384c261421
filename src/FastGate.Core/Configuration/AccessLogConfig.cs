namespace FastGate.Core.Configuration;

/// <summary>One line per request, written off the request path.</summary>
internal sealed class AccessLogConfig
{
    public bool Enabled { get; set; } = true;

    /// <summary>"stdout" or a file path (reopened on SIGUSR1 for log rotation).</summary>
    public string Path { get; set; } = "stdout";

    /// <summary>"json" (JSON lines) or "combined" (Apache/nginx combined format).</summary>
    public string Format { get; set; } = "json";
}
