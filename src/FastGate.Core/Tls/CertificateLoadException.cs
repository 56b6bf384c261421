namespace FastGate.Core.Tls;

/// <summary>A certificate, key or CA file that cannot be used: names the file and what is wrong with it.</summary>
internal sealed class CertificateLoadException(string file, string reason, Exception? inner = null)
    : Exception($"{file}: {reason}", inner)
{
    public string File { get; } = file;
    public string Reason { get; } = reason;
}
