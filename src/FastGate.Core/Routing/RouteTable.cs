using System.Text;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Routing;

/// <summary>
/// API definitions compiled for lookup by (host, path): routes for the exact host first, then for a matching
/// wildcard host, then host-less routes; within each, the longest listen path wins. Immutable; thread-safe.
/// </summary>
internal sealed class RouteTable<T> where T : class
{
    private readonly HostNameMap<RouteList<T>> _byHost;
    private readonly RouteList<T> _anyHost;

    public RouteTable(IEnumerable<(IReadOnlyList<string> Hosts, string ListenPath, T Api)> apis)
    {
        var byHost = new Dictionary<string, List<RouteEntry<T>>>(StringComparer.OrdinalIgnoreCase);
        var anyHost = new List<RouteEntry<T>>();
        foreach (var (hosts, listenPath, api) in apis)
        {
            var entry = new RouteEntry<T>(Encoding.ASCII.GetBytes(Normalize(listenPath)), api);
            if (hosts.Count == 0)
            {
                anyHost.Add(entry);
                continue;
            }
            foreach (var host in hosts)
            {
                if (!byHost.TryGetValue(host, out var list))
                {
                    byHost[host] = list = [];
                }
                list.Add(entry);
            }
        }
        var compiled = new List<KeyValuePair<string, RouteList<T>>>(byHost.Count);
        foreach (var (host, list) in byHost)
        {
            compiled.Add(new(host, new RouteList<T>(list)));
        }
        _byHost = new HostNameMap<RouteList<T>>(compiled);
        _anyHost = new RouteList<T>(anyHost);
    }

    /// <param name="host">The request's host, with or without a port (a Host header value).</param>
    /// <param name="path">The request path without the query.</param>
    public T? Match(ReadOnlySpan<byte> host, ReadOnlySpan<byte> path)
    {
        var hostName = StripPort(host);
        if (!hostName.IsEmpty && hostName.Length <= 255 && _byHost.Count > 0)
        {
            Span<char> chars = stackalloc char[hostName.Length];
            if (System.Text.Ascii.ToUtf16(hostName, chars, out var written) == System.Buffers.OperationStatus.Done)
            {
                var name = chars[..written];
                if (_byHost.FindExact(name)?.Match(path) is { } exactMatch)
                {
                    return exactMatch;
                }
                if (_byHost.FindWildcard(name)?.Match(path) is { } wildcardMatch)
                {
                    return wildcardMatch;
                }
            }
        }
        return _anyHost.Match(path);
    }

    /// <summary>"example.com:8443" → "example.com"; "[::1]:8443" → "[::1]".</summary>
    public static ReadOnlySpan<byte> StripPort(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty)
        {
            return host;
        }
        if (host[0] == (byte)'[')
        {
            var close = host.IndexOf((byte)']');
            return close < 0 ? host : host[..(close + 1)];
        }
        var colon = host.LastIndexOf((byte)':');
        return colon < 0 ? host : host[..colon];
    }

    private static string Normalize(string listenPath) =>
        string.IsNullOrEmpty(listenPath) || listenPath == "/" ? "/" : listenPath.TrimEnd('/');
}
