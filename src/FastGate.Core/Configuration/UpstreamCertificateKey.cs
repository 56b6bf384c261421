using FastGate.Core.Infrastructure;

namespace FastGate.Core.Configuration;

/// <summary>
/// A key of an upstream_certificates map, in Tyk's syntax: "*", "host", "host:port", "*.domain", "*.domain:port".
/// Unlike Tyk, a key with a scheme is an error instead of a key that silently never matches.
/// </summary>
internal readonly record struct UpstreamCertificateKey(string Host, int Port)
{
    /// <summary>Port 0: any port.</summary>
    public bool AnyPort => Port == 0;
    public bool IsDefault => Host == "*";
    public bool IsWildcard => Host.StartsWith("*.", StringComparison.Ordinal);

    public static bool TryParse(string key, out UpstreamCertificateKey parsed, out string error)
    {
        parsed = default;
        error = "";
        if (key.Contains("://", StringComparison.Ordinal))
        {
            var bare = key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
            error = $"keys are host names without a scheme: write '{bare}', not '{key}'";
            return false;
        }
        if (key == "*")
        {
            parsed = new UpstreamCertificateKey("*", 0);
            return true;
        }
        var host = key;
        var port = 0;
        var colon = key.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(key.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out port) || port is < 1 or > 65535)
            {
                error = $"'{key[(colon + 1)..]}' is not a port (1-65535)";
                return false;
            }
            host = key[..colon];
        }
        if (!HostNames.IsValidPattern(host) && !System.Net.IPAddress.TryParse(host, out _))
        {
            error = "not a host name, host:port, one-level wildcard (*.example.com) or '*'";
            return false;
        }
        parsed = new UpstreamCertificateKey(host.ToLowerInvariant(), port);
        return true;
    }

    public override string ToString() => AnyPort ? Host : $"{Host}:{Port}";
}
