using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace FastGate.Core.Infrastructure;

internal static class EndpointParser
{
    /// <summary>Parses "IP:port" or "[IPv6]:port" with an explicit port (0 = any free port, for tests).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text) || !IPEndPoint.TryParse(text, out var parsed))
        {
            return false;
        }
        // IPEndPoint.TryParse accepts a bare address with port 0; demand the port be written.
        var lastColon = text.LastIndexOf(':');
        var closingBracket = text.LastIndexOf(']');
        if (lastColon < 0 || lastColon < closingBracket || (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && closingBracket < 0))
        {
            return false;
        }
        endpoint = parsed;
        return true;
    }
}
