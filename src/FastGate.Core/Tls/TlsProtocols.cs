using System.Security.Authentication;

namespace FastGate.Core.Tls;

internal static class TlsProtocols
{
    /// <summary>Maps validated version names ("1.2", "1.3") to the framework's flags.</summary>
    public static SslProtocols Parse(IEnumerable<string> versions)
    {
        var protocols = SslProtocols.None;
        foreach (var version in versions)
        {
            protocols |= version switch
            {
#pragma warning disable SYSLIB0039, CA5397 // legacy versions only where a profile explicitly allows them
                "1.0" => SslProtocols.Tls,
                "1.1" => SslProtocols.Tls11,
#pragma warning restore SYSLIB0039, CA5397
                "1.2" => SslProtocols.Tls12,
                "1.3" => SslProtocols.Tls13,
                _ => throw new ArgumentException($"unknown TLS version '{version}'", nameof(versions)),
            };
        }
        return protocols;
    }
}
